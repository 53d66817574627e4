/**
 * The API reference at /docs: Scalar's standalone bundle, served from our own assets
 * (edge/build-assets.ts copies it), so the page works offline and without a CDN.
 *
 * The mount element is not `#api-reference`: the bundle auto-mounts a second, unconfigured viewer
 * on an element of that id, and the two fought over the page (a grey skeleton until a scroll,
 * fonts from the vendor's CDN). The page uses system fonts and none of the vendor's cloud
 * features (its AI agent, MCP generator, telemetry, developer toolbar).
 */
export const docsPage = `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <title>Varastokkr API reference</title>
  </head>
  <body>
    <div id="varastokkr-reference"></div>
    <script src="/vendor/scalar/standalone.js"></script>
    <script>
      // The system's own faces instead of Scalar's Inter and JetBrains Mono, which live on its CDN.
      const systemFonts = \`.scalar-app {
        --scalar-font: system-ui, -apple-system, 'Segoe UI', Roboto, 'Noto Sans', 'Liberation Sans', sans-serif;
        --scalar-font-code: ui-monospace, SFMono-Regular, Menlo, Consolas, 'DejaVu Sans Mono', 'Liberation Mono', monospace;
      }\`;
      Scalar.createApiReference('#varastokkr-reference', {
        url: '/openapi.json',
        withDefaultFonts: false,
        hideDownloadButton: false,
        hideClientButton: true,
        showDeveloperTools: 'never',
        telemetry: false,
        agent: { disabled: true },
        mcp: { disabled: true },
        metaData: { title: 'Varastokkr API reference' },
        customCss: systemFonts,
      });
    </script>
  </body>
</html>`;
