// "Try the extension": requests of the extension's page to https://pac.assets/ (which the
// component's Java answers from the .aix's assets) are answered from the built .aix.
self.addEventListener("install", () => self.skipWaiting());
self.addEventListener("activate", (event) => event.waitUntil(self.clients.claim()));

self.addEventListener("fetch", (event) => {
  const url = new URL(event.request.url);
  if (url.origin !== "https://pac.assets") return;
  event.respondWith(
    (async () => {
      const client = await self.clients.get(event.clientId);
      const match = client && new URL(client.url).pathname.match(/^\/try\/([^/]+)\/assets\//);
      if (!match) return new Response("not found", { status: 404 });
      return fetch(`/try/${match[1]}/assets/${url.pathname.slice(1)}`);
    })(),
  );
});
