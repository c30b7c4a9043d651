// Waymark's subscriptions through the graphql-ws client, as an integrator's code uses
// them: node subscriptions.mjs ws://host:port/graphql, with WAYMARK_BANK_TOKEN and
// WAYMARK_ANALYST_TOKEN set. Driven by cmd/waymark/graphqlspec_test.go, which judges
// what this prints: one JSON line per step. Once its workChanged subscriptions are
// certainly held by the server it prints {"step":"subscribed"} and waits for a line on
// standard input: the test then makes the change they should receive.
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { createInterface } from 'node:readline';

const url = process.argv[2];
const bankToken = process.env.WAYMARK_BANK_TOKEN;
const analystToken = process.env.WAYMARK_ANALYST_TOKEN;
if (!url || !bankToken || !analystToken) {
  console.error('usage: WAYMARK_BANK_TOKEN=<jwt> WAYMARK_ANALYST_TOKEN=<jwt> node subscriptions.mjs ws://host:port/graphql');
  process.exit(2);
}
// projections.MaxWorkSubscriptionsPerKey: one token holds at most this many.
const perToken = 4;
const workChanged = 'subscription { workChanged { organisationId kind caseId itemId added position at } }';

const print = (line) => console.log(JSON.stringify(line));
const codes = (errors) => (Array.isArray(errors) ? errors : [errors]).map((e) => e?.extensions?.code ?? String(e?.message ?? e));
const lines = createInterface({ input: process.stdin })[Symbol.asyncIterator]();

function client(token, on = {}, options = {}) {
  return createClient({
    url,
    webSocketImpl: WebSocket,
    connectionParams: { Authorization: 'Bearer ' + token },
    retryAttempts: 0, // a refusal is what the test is after: never retried
    on,
    ...options,
  });
}

// subscribe runs one operation and settles with what happened: its results, then
// either the errors it ended with or its completion.
function subscribe(c, query, variables, onNext = () => {}) {
  const results = [];
  let unsubscribe;
  const done = new Promise((resolve) => {
    unsubscribe = c.subscribe(
      { query, variables },
      {
        next: (r) => {
          results.push(r);
          onNext(r);
        },
        error: (err) => resolve({ results, error: err }),
        complete: () => resolve({ results, completed: true }),
      },
    );
  });
  return { done, unsubscribe, results };
}

// A bad token: the server closes the socket in connection_init with 4403.
{
  const bad = client('not-a-token');
  const { error } = await subscribe(bad, workChanged).done;
  print({ step: 'bad token', closeCode: error?.code, reason: error?.reason });
  await bad.dispose();
}

// The bank's client connects at once (not lazily), pings the server (keepAlive) and
// hears its pong.
let ponged;
const pong = new Promise((resolve) => (ponged = resolve));
const bank = client(bankToken, { pong: (received) => received && ponged() }, { keepAlive: 50, lazy: false });
await pong;
print({ step: 'pong' });

// A subscription that does not validate, and a query over the socket: coded errors.
{
  const { error, results } = await subscribe(bank, 'subscription { noSuchField }').done;
  print({ step: 'invalid subscription', codes: codes(error ?? results.flatMap((r) => r.errors ?? [])) });
  const query = await subscribe(bank, '{ __typename }').done;
  print({ step: 'query over the socket', codes: codes(query.error ?? query.results.flatMap((r) => r.errors ?? [])), completed: !!query.completed });
}

// perToken + 1 workChanged subscriptions: exactly one is refused, RATE_LIMITED (a next
// message with the error, then complete, as graphql-ws's own server answers a
// subscribe resolver that fails). The protocol does not acknowledge a subscription,
// and that refusal is how the client knows the others are held: the change the test
// makes next reaches them all.
const changes = [];
let changed;
const allChanged = new Promise((resolve) => (changed = resolve));
let refusedOne;
const refusal = new Promise((resolve) => (refusedOne = resolve));
const subs = [];
for (let i = 0; i <= perToken; i++) {
  const s = subscribe(bank, workChanged, undefined, (r) => {
    if (!r.data) return; // the refusal: next with the error, then complete
    changes.push(r);
    if (changes.length === perToken) changed();
  });
  s.done.then((end) => refusedOne({ i, ...end }));
  subs.push(s);
}
const refused = await refusal;
print({ step: 'subscribed', refused: codes(refused.error ?? refused.results.flatMap((r) => r.errors ?? [])) });
await lines.next(); // the test makes its change

await allChanged;
print({ step: 'changes', results: changes });
for (const [i, s] of subs.entries()) if (i !== refused.i) s.unsubscribe(); // complete
await bank.dispose();

// dashboardUpdated: its first message is the dashboard as it stands.
{
  const analyst = client(analystToken);
  const now = new Date();
  const month = now.toISOString().slice(0, 7);
  let first;
  const got = new Promise((resolve) => (first = resolve));
  const s = subscribe(analyst,
    'subscription($f: DashboardFilter!) { dashboardUpdated(filter: $f) { months funnel { code } } }',
    { f: { jurisdiction: 'MX', fromMonth: `${now.getUTCFullYear()}-01`, toMonth: month } },
    first);
  const r = await Promise.race([got, s.done]);
  print({ step: 'dashboard', result: r });
  s.unsubscribe();
  await analyst.dispose();
}
process.exit(0);
