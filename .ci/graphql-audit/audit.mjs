// The GraphQL-over-HTTP audit of graphql-http (the reference implementation's server
// audits) against a running Waymark: node audit.mjs <url>, the token in WAYMARK_TOKEN.
// Prints one JSON line per audit ({id, name, status, reason}) and exits 0; the caller
// (cmd/waymark/graphqlspec_test.go) judges the results. The token is sent with every
// request, as an integrator's client does.
import { serverAudits } from 'graphql-http';

const url = process.argv[2];
const token = process.env.WAYMARK_TOKEN;
if (!url || !token) {
  console.error('usage: WAYMARK_TOKEN=<jwt> node audit.mjs http://host:port/graphql');
  process.exit(2);
}

const fetchFn = (input, init = {}) => {
  const headers = new Headers(init.headers);
  headers.set('authorization', 'Bearer ' + token);
  return fetch(input, { ...init, headers });
};

// One audit at a time: the results do not depend on order, and the server's rate
// limiter sees a steady client.
for (const audit of serverAudits({ url, fetchFn })) {
  const result = await audit.fn();
  const line = { id: result.id, name: result.name, status: result.status };
  if (result.status !== 'ok') {
    line.reason = result.reason;
    line.httpStatus = result.response.status;
    line.contentType = result.response.headers.get('content-type');
    try {
      line.body = (await result.response.clone().text()).slice(0, 500);
    } catch {
      // the body may have been read by the audit already
    }
  }
  console.log(JSON.stringify(line));
}
