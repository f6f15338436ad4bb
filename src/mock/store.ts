// In-memory tasks and per-task message history of the mock server. Owns ids and
// the user/agent history entries; knows nothing about HTTP or sockets.

export const AGENT_ID = 'intelligent-agent';

export const WELCOME_MESSAGE =
  "Hi! I'm here to help you find the perfect product. What are you looking for today?";
// The create-task example of AUI's API docs, verbatim.
export const WELCOME_SUGGESTIONS: readonly string[] = [
  'Show me your best sellers',
  'I need help choosing a product',
  "What's on sale right now?",
];

export interface StoredTask {
  id: string;
  user_id: string;
  title: string;
  welcome_message: string;
  followup_suggestions: string[];
}

export interface Party {
  id: string;
  type: 'user' | 'agent';
  email: null;
}

/** A history entry: the wire message object, in whichever product shape was active when stored. */
export interface StoredMessage {
  id: string;
  created_at: string;
  text: string;
  sender: Party;
  receiver: Party;
  followup_suggestions: string[];
  [extra: string]: unknown;
}

export function uuid(): string {
  return globalThis.crypto.randomUUID();
}

/** 24 hex characters, like the API's ObjectId-style task ids. */
export function objectId(): string {
  return uuid().replace(/-/g, '').slice(0, 24);
}

export class Store {
  // Map keeps insertion order, which gives the task list a stable oldest-first order.
  readonly tasks = new Map<string, StoredTask>();
  private readonly histories = new Map<string, StoredMessage[]>();
  private readonly byMessageId = new Map<string, { task_id: string; message: StoredMessage }>();

  createTask(user_id: string, id: string = objectId()): StoredTask {
    const task: StoredTask = {
      id,
      user_id,
      title: 'New Conversation',
      welcome_message: WELCOME_MESSAGE,
      followup_suggestions: [...WELCOME_SUGGESTIONS],
    };
    this.tasks.set(id, task);
    this.histories.set(id, []);
    return task;
  }

  getTask(id: string): StoredTask | undefined {
    return this.tasks.get(id);
  }

  listTasks(user_id: string): StoredTask[] {
    return [...this.tasks.values()].filter((t) => t.user_id === user_id);
  }

  history(task_id: string): StoredMessage[] {
    return this.histories.get(task_id) ?? [];
  }

  /** Number of user entries already stored for the task. */
  userTurns(task_id: string): number {
    return this.history(task_id).filter((m) => m.sender.type === 'user').length;
  }

  append(task_id: string, message: StoredMessage): void {
    let list = this.histories.get(task_id);
    if (!list) {
      list = [];
      this.histories.set(task_id, list);
    }
    list.push(message);
    this.byMessageId.set(message.id, { task_id, message });
  }

  findMessage(task_id: string, message_id: string): StoredMessage | undefined {
    const hit = this.byMessageId.get(message_id);
    return hit && hit.task_id === task_id ? hit.message : undefined;
  }

  clear(): void {
    this.tasks.clear();
    this.histories.clear();
    this.byMessageId.clear();
  }
}
