'use client';
// The chat page: the AI SDK's useChat against app/api/chat/route.ts. The answer's text streams in
// as its parts grow; product cards and follow-up suggestions arrive as typed data parts
// (`data-products`, `data-suggestions`) of the same message, and a suggestion is sent as the next
// message when clicked. A failed turn (or a refusal, say 401) is useChat's `error`.
import { useChat } from '@ai-sdk/react';
import type { AuiUIMessage, Product } from 'aui-messaging/ai';
import { useState, type FormEvent } from 'react';
import './chat.css';

export default function ChatPage() {
  const { messages, sendMessage, status, error } = useChat<AuiUIMessage>();
  const [input, setInput] = useState('');
  const busy = status === 'submitted' || status === 'streaming';

  const send = (text: string) => {
    if (busy || text.trim() === '') return;
    void sendMessage({ text });
  };
  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    send(input);
    setInput('');
  };

  return (
    <main className="chat" data-status={status}>
      <h1>Ask the shopping agent</h1>
      <ol className="log">
        {messages.map((message) => (
          <ChatMessage
            key={message.id}
            message={message}
            // Only the latest answer offers its suggestions: older ones are history.
            onSuggestion={message === messages.at(-1) && !busy ? send : undefined}
          />
        ))}
      </ol>
      {error && (
        <p className="error" role="alert">
          {error.message}
        </p>
      )}
      <form className="composer" onSubmit={onSubmit}>
        <input
          aria-label="Message"
          placeholder="I need a built-in microwave…"
          value={input}
          onChange={(event) => setInput(event.target.value)}
        />
        <button type="submit" disabled={busy}>
          Send
        </button>
      </form>
    </main>
  );
}

function ChatMessage({
  message,
  onSuggestion,
}: {
  message: AuiUIMessage;
  onSuggestion: ((text: string) => void) | undefined;
}) {
  return (
    <li className={`bubble bubble--${message.role}`}>
      {message.parts.map((part, index) => {
        // A text part AUI corrected after streaming it is superseded by the part after it.
        if (part.type === 'text' && !part.providerMetadata?.aui?.replaced)
          return (
            <p key={index} className="bubble__text">
              {part.text}
            </p>
          );
        if (part.type === 'data-products') return <ProductCards key={index} products={part.data} />;
        if (part.type === 'data-suggestions' && onSuggestion)
          return <Suggestions key={index} suggestions={part.data} onPick={onSuggestion} />;
        return null;
      })}
    </li>
  );
}

function ProductCards({ products }: { products: Product[] }) {
  return (
    <ul className="products">
      {products.map((product, index) => (
        <li key={index} className={product.recommended ? 'product product--recommended' : 'product'}>
          <strong className="product__name">{product.name ?? 'Product'}</strong>
          {typeof product.values.Price === 'string' && (
            <span className="product__price">{product.values.Price}</span>
          )}
          {product.recommended && <span className="product__badge">Top pick</span>}
        </li>
      ))}
    </ul>
  );
}

function Suggestions({ suggestions, onPick }: { suggestions: string[]; onPick: (text: string) => void }) {
  return (
    <div className="suggestions">
      {suggestions.map((suggestion) => (
        <button key={suggestion} type="button" className="suggestion" onClick={() => onPick(suggestion)}>
          {suggestion}
        </button>
      ))}
    </div>
  );
}
