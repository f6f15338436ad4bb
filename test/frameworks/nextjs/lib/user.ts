// Who is signed in, for both proxy routes: the user id in an httpOnly cookie that /login sets.
// A real app reads its own session here (Auth.js `auth()`, a signed cookie, …).
import { cookies } from 'next/headers';

export const USER_COOKIE = 'aui_demo_user';

/** `authorize` of both routes: the cookie's user, or null (the proxy answers 401). */
export async function userFromCookie(): Promise<{ userId: string } | null> {
  const userId = (await cookies()).get(USER_COOKIE)?.value;
  return userId ? { userId } : null;
}
