import t from 'tap'
import { SERVER_MALLOC_ENV, SERVER_NODE_FLAGS, serverRuntime } from '../scripts/server-runtime.mjs'

/** `npm start` runs the server with the memory settings the benches measured; an operator's own settings win. */
t.test('the server runtime: our flags and malloc settings unless the environment says otherwise', async (t) => {
  const plain = serverRuntime({ PATH: '/usr/bin' })
  t.same(plain.execArgv, ['--max-semi-space-size=4'])
  t.same(plain.env, { PATH: '/usr/bin', MALLOC_ARENA_MAX: '2', MALLOC_MMAP_THRESHOLD_: '131072', MALLOC_TRIM_THRESHOLD_: '131072' })

  const own = serverRuntime({ NODE_OPTIONS: '--max-semi-space-size=16', MALLOC_ARENA_MAX: '8' })
  t.same(own.execArgv, [], 'a semi-space size in NODE_OPTIONS: no flag of ours')
  t.equal(own.env.MALLOC_ARENA_MAX, '8', 'a MALLOC_ variable set stays')
  t.equal(own.env.MALLOC_MMAP_THRESHOLD_, SERVER_MALLOC_ENV.MALLOC_MMAP_THRESHOLD_, 'the others are ours')
  t.same(SERVER_NODE_FLAGS, ['--max-semi-space-size=4'], 'the constant is not changed by a call')
})
