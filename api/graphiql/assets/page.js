// Waymark's GraphiQL page: the editor from the bundle served beside this file (no
// CDN), talking to /graphql on the host that served the page. Kept in a file of its
// own because the page's Content-Security-Policy allows no inline script.
//
// Every request needs a bearer token: paste it into the headers editor (the Headers
// tab under the query). GraphiQL keeps the headers in this browser's localStorage, so
// the token survives a reload; clear it there (or in the browser) on a shared machine.
(function () {
  'use strict';
  var endpoint = location.origin + '/graphql';
  var socket = (location.protocol === 'https:' ? 'wss:' : 'ws:') + '//' + location.host + '/graphql';
  var fetcher = GraphiQL.createFetcher({ url: endpoint, subscriptionUrl: socket });
  var defaultHeaders = JSON.stringify({ Authorization: 'Bearer paste-a-token-here' }, null, 2);
  var defaultQuery = [
    '# Waymark\'s GraphQL API. Paste a token into the headers editor below',
    '# ("Headers" tab), e.g. one that serve --demo printed, then run this query.',
    '# Auditors reading personal data add an "X-Access-Reason" header.',
    '',
    'query Organisations {',
    '  organisations {',
    '    id',
    '    name',
    '    kind',
    '    jurisdiction',
    '  }',
    '}',
    ''
  ].join('\n');
  ReactDOM.createRoot(document.getElementById('graphiql')).render(
    React.createElement(GraphiQL, {
      fetcher: fetcher,
      defaultQuery: defaultQuery,
      defaultHeaders: defaultHeaders,
      isHeadersEditorEnabled: true,
      shouldPersistHeaders: true,
      defaultEditorToolsVisibility: 'headers',
      inputValueDeprecation: true
    })
  );
})();
