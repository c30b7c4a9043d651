// Talking to /graphql: POST for queries, and a websocket speaking graphql-transport-ws
// for the live dashboard (connection_init with the token → connection_ack → subscribe
// → next… ; ping → pong). Nothing here logs a document, variables or a token.

// ApiError carries the server's message and extensions.code (UNAUTHENTICATED, …).
export class ApiError extends Error {
  constructor(message, code, extensions) {
    super(message);
    this.code = code || '';
    this.extensions = extensions || {};
  }
}

function firstError(errors, status) {
  const e = (errors && errors[0]) || {};
  return new ApiError(e.message || `HTTP ${status}`, (e.extensions && e.extensions.code) || (status === 401 ? 'UNAUTHENTICATED' : ''), e.extensions);
}

export async function query(token, document, variables) {
  const resp = await fetch('/graphql', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
    body: JSON.stringify({ query: document, variables }),
    cache: 'no-store',
    credentials: 'omit',
  });
  let body = null;
  try { body = await resp.json(); } catch { /* not JSON: reported below by status */ }
  if (!body || (body.errors && body.errors.length)) throw firstError(body && body.errors, resp.status);
  return body.data;
}

// subscribe opens a socket and runs one subscription on it. handlers: onData(data),
// onError(ApiError), onState('connecting'|'live'|'closed'). It reconnects after a
// dropped socket (backing off to 30 s), never after a refusal. The returned function
// closes it for good.
export function subscribe(token, document, variables, handlers) {
  let ws = null, stopped = false, retry = 0, timer = null;
  const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/graphql`;

  function open() {
    handlers.onState('connecting');
    ws = new WebSocket(url, 'graphql-transport-ws');
    const send = m => ws.readyState === WebSocket.OPEN && ws.send(JSON.stringify(m));
    ws.onopen = () => send({ type: 'connection_init', payload: { Authorization: `Bearer ${token}` } });
    ws.onmessage = ev => {
      let m;
      try { m = JSON.parse(ev.data); } catch { return; }
      switch (m.type) {
        case 'connection_ack':
          retry = 0;
          send({ id: '1', type: 'subscribe', payload: { query: document, variables } });
          handlers.onState('live');
          break;
        case 'ping':
          send({ type: 'pong' });
          break;
        case 'next':
          if (m.payload && m.payload.errors && m.payload.errors.length) handlers.onError(firstError(m.payload.errors, 200));
          if (m.payload && m.payload.data) handlers.onData(m.payload.data);
          break;
        case 'error':
          stopped = true; // the server refused this subscription: asking again would too
          handlers.onError(firstError(m.payload, 200));
          ws.close(1000);
          break;
        case 'complete':
          // The server ended it (too far behind, the token expiring): start again.
          ws.close(1000);
          break;
      }
    };
    ws.onclose = ev => {
      handlers.onState('closed');
      if (ev.code === 4403) {
        stopped = true;
        handlers.onError(new ApiError(ev.reason || 'not authenticated', ev.reason === 'rate limited' ? 'RATE_LIMITED' : 'UNAUTHENTICATED'));
      }
      if (stopped) return;
      const wait = Math.min(30000, 1000 * 2 ** retry++);
      timer = setTimeout(open, wait);
    };
  }
  open();
  return () => {
    stopped = true;
    clearTimeout(timer);
    if (ws && ws.readyState <= WebSocket.OPEN) {
      if (ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify({ id: '1', type: 'complete' }));
      ws.close(1000);
    }
  };
}

// download fetches url with the token and saves the answer as filename: a link can
// carry no Authorization header, so the file goes through a Blob.
export async function download(token, url, filename) {
  const resp = await fetch(url, { headers: { Authorization: `Bearer ${token}` }, cache: 'no-store', credentials: 'omit' });
  if (!resp.ok) {
    let err = null;
    try { err = await resp.json(); } catch { /* a plain-text error */ }
    throw firstError(err && err.errors, resp.status);
  }
  const blob = await resp.blob();
  const href = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = href;
  a.download = filename;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(href), 10000);
}
