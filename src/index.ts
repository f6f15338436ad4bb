/**
 * aui-messaging — the public surface of the default entry (web build). Everything a user
 * imports is named here; each name is defined in the folder that owns it.
 * @module aui-messaging
 */
export { AuiClient } from './client/client.ts';
export type { MessagesApi, TasksApi } from './client/methods.ts';
export { REGION_URLS, type AuiClientOptions, type Region } from './client/options.ts';
export { APIPromise, type WithResponse } from './http/api-promise.ts';
export type { RequestOptions } from './http/transport.ts';
export {
  cachedKey,
  envKey,
  staticKey,
  type ApiKeyInput,
  type CachedKeyOptions,
  type KeyProvider,
  type KeyRequest,
  type LoadedKey,
} from './keys/providers.ts';
export type { Logger, LogLevel } from './runtime/logger.ts';
export { MessageStream } from './stream/message-stream.ts';
export type { MessageStreamEvents, StreamEvent } from './stream/events.ts';
export { SSE_HEADERS } from './stream/sse.ts';
export { Session } from './session/session.ts';
export type { SessionState, StateChange } from './session/state.ts';
export type { StreamOptions, StreamParams } from './session/turn.ts';
export type { ReconnectOptions, SessionOptions } from './session/options.ts';
export { VERSION } from './runtime/version.ts';
export type { WebSocketConstructor, WebSocketLike } from './runtime/websocket.ts';
export {
  APIConnectionError,
  APIError,
  APITimeoutError,
  APIUserAbortError,
  AuiError,
  AuthenticationError,
  BadRequestError,
  BrowserKeyError,
  InternalServerError,
  InvalidRequestError,
  NotFoundError,
  PermissionDeniedError,
  RateLimitError,
  ResponseValidationError,
  SessionClosedError,
  TurnInterruptedError,
  UnprocessableEntityError,
  type Delivered,
} from './errors/errors.ts';
export type { Issue } from './errors/body.ts';
export { parseCreatedAt, productsOf, type Product } from './schemas/helpers.ts';
export type {
  CreateTaskParams,
  ListTasksParams,
  MessageContext,
  RenderWidgetParams,
  SendMessageParams,
  StreamMessageParams,
  TaskAgent,
  TextConversationParams,
  TraceInfoQuery,
} from './schemas/input.ts';
export type {
  AgentContext,
  Card,
  CardParameter,
  FollowupSuggestions,
  Message,
  ParameterType,
  Party,
  ProductOption,
  RenderedWidget,
  Task,
  TaskPage,
  TextConversation,
  TraceInfo,
} from './schemas/wire.ts';
