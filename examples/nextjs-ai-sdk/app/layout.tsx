// The root layout every App Router app has; the chat itself is app/page.tsx.
import type { ReactNode } from 'react';

export const metadata = { title: 'AUI agent × AI SDK useChat' };

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body>{children}</body>
    </html>
  );
}
