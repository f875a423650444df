import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Registry } from 'prom-client'

export interface MetricsListener { url: string, port: number, close: () => Promise<void> }

/** `GET /metrics` on a port of its own (METRICS_PORT), with no token: keep that port off the public network. */
export async function listenForMetrics (registry: Registry, port: number, host: string): Promise<MetricsListener> {
  const server = createServer((req, res) => {
    const text = { 'content-type': 'text/plain; charset=utf-8' }
    if (req.url?.split('?')[0] !== '/metrics') { res.writeHead(404, text).end('Not found: this port serves GET /metrics only.\n'); return }
    if (req.method !== 'GET' && req.method !== 'HEAD') { res.writeHead(405, { ...text, allow: 'GET, HEAD' }).end('Method not allowed: GET /metrics.\n'); return }
    registry.metrics().then((body) => { res.writeHead(200, { 'content-type': registry.contentType }).end(req.method === 'HEAD' ? undefined : body) },
      (err: unknown) => { res.writeHead(500, text).end(`Metrics could not be collected: ${err instanceof Error ? err.message : String(err)}\n`) })
  })
  await new Promise<void>((resolve, reject) => { server.once('error', reject); server.listen(port, host, () => resolve()) })
  const a = server.address() as AddressInfo
  return {
    url: `http://${a.family === 'IPv6' ? `[${a.address}]` : a.address}:${a.port}`,
    port: a.port,
    close: async () => { server.closeAllConnections(); await new Promise<void>((resolve) => server.close(() => resolve())) }
  }
}
