import { describe, expect, it } from 'vitest';
import { webSocketUrlOf } from './createTransport.ts';

describe('webSocketUrlOf', () => {
  it('connects to /api on the host that served the page, with the page token', () => {
    expect(webSocketUrlOf({ host: '127.0.0.1:5177', search: '?token=abc123' })).toBe('ws://127.0.0.1:5177/api?token=abc123');
  });

  it('sends an empty token when the page has none, so the host refuses it with its own message', () => {
    expect(webSocketUrlOf({ host: 'localhost:9000', search: '' })).toBe('ws://localhost:9000/api?token=');
  });
});
