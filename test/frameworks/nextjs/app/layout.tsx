import type { ReactNode } from 'react';
import './chat.css';

// No favicon request (a 404 would be a console error the test fails on).
export const metadata = { title: 'AUI chat · Next.js', icons: { icon: 'data:,' } };

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body>{children}</body>
    </html>
  );
}
