/**
 * The API reference at /docs: Scalar's standalone bundle, served from our own assets
 * (edge/build-assets.ts copies it), so the page works offline and without a CDN.
 */
export const docsPage = `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <title>Varastokkr API reference</title>
  </head>
  <body>
    <div id="api-reference"></div>
    <script src="/vendor/scalar/standalone.js"></script>
    <script>
      Scalar.createApiReference('#api-reference', {
        url: '/openapi.json',
        withDefaultFonts: false,
        hideDownloadButton: false,
        metaData: { title: 'Varastokkr API reference' },
      });
    </script>
  </body>
</html>`;
