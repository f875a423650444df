import t from 'tap'
import { Gauge, Registry } from 'prom-client'
import { listenForMetrics } from '../server/features/ops/metrics-listener.js'

/** METRICS_PORT: Prometheus scrapes a port of its own; anything else there gets a status and a sentence saying why. */
t.test('the metrics port: GET /metrics, and a clear refusal of anything else', async (t) => {
  const registry = new Registry()
  const g = new Gauge({ name: 'creneaux_test_gauge', help: 'a gauge', registers: [registry] })
  g.set(7)
  const listener = await listenForMetrics(registry, 0, '127.0.0.1')
  t.teardown(listener.close)

  const ok = await fetch(`${listener.url}/metrics?x=1`)
  t.equal(ok.status, 200)
  t.match(await ok.text(), /^creneaux_test_gauge 7$/m)

  const head = await fetch(`${listener.url}/metrics`, { method: 'HEAD' })
  t.equal(head.status, 200)
  t.equal(await head.text(), '')

  const elsewhere = await fetch(`${listener.url}/api/me`)
  t.equal(elsewhere.status, 404)
  t.match(await elsewhere.text(), /serves GET \/metrics only/)

  const post = await fetch(`${listener.url}/metrics`, { method: 'POST' })
  t.equal(post.status, 405)
  t.equal(post.headers.get('allow'), 'GET, HEAD')
  t.match(await post.text(), /Method not allowed/)

  const broken = new Registry()
  new Gauge({ name: 'creneaux_broken', help: 'fails', registers: [broken], collect () { throw new Error('collector down') } })
  const other = await listenForMetrics(broken, 0, '127.0.0.1')
  t.teardown(other.close)
  const failed = await fetch(`${other.url}/metrics`)
  t.equal(failed.status, 500)
  t.match(await failed.text(), /could not be collected: collector down/)
})
