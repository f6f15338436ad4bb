// The proxy as a resource route (no component): `loader` answers GET, `action` answers POST, both
// by handing the Request to the handler.
import { auiHandler } from '../aui.server';
import type { Route } from './+types/api.aui';

export const loader = ({ request }: Route.LoaderArgs) => auiHandler(request);
export const action = ({ request }: Route.ActionArgs) => auiHandler(request);
