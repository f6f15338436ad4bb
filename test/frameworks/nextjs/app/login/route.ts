// A stand-in sign-in: sets the httpOnly user cookie the proxy routes read, then goes to `next`
// (a path on this site: `/` for the Node route's page, `/edge` for the Edge route's). The
// Location is a path: `request.url` names the host as `localhost` even when the server listens
// on 127.0.0.1, and a cookie set for one host is not sent to the other.
import { NextResponse, type NextRequest } from 'next/server';
import { USER_COOKIE } from '../../lib/user';

export function GET(request: NextRequest): NextResponse {
  const next = request.nextUrl.searchParams.get('next') ?? '/';
  const target = next.startsWith('/') && !next.startsWith('//') ? next : '/';
  const response = new NextResponse(null, { status: 303, headers: { location: target } });
  response.cookies.set(USER_COOKIE, 'frameworks-user', { httpOnly: true, sameSite: 'strict', path: '/' });
  return response;
}
