// Who is signed in: the user id in an httpOnly cookie that /login sets. A real app reads its own
// session here (createCookieSessionStorage, a JWT, …).
import { createCookie } from 'react-router';

export const userCookie = createCookie('aui_demo_user', {
  httpOnly: true,
  sameSite: 'strict',
  path: '/',
  secrets: ['frameworks-demo-secret'], // signed, so the browser cannot pick another user
});

/** `authorize` of the proxy: the cookie's user, or null (the proxy answers 401). */
export async function userFromCookie(request: Request): Promise<{ userId: string } | null> {
  const userId: unknown = await userCookie.parse(request.headers.get('cookie'));
  return typeof userId === 'string' && userId !== '' ? { userId } : null;
}
