// A stand-in sign-in: sets the httpOnly user cookie the proxy reads, then goes to the chat.
import { redirect } from 'react-router';
import { userCookie } from '../user.server';
import type { Route } from './+types/login';

export async function loader(_: Route.LoaderArgs) {
  return redirect('/', { headers: { 'set-cookie': await userCookie.serialize('frameworks-user') } });
}
