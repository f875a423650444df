/**
 * `npm run demo`: prepares the database of DATA_DIR (default ./data, the server's settings)
 * so that a following `npm start` shows a living demo. See scripts/demo-build.ts.
 */
import { systemClock } from '../server/clock.js'
import { loadConfig } from '../server/config.js'
import { buildDemo, DemoRefusedError, summaryLines } from './demo-build.js'

try {
  const config = loadConfig(process.env)
  const started = Date.now()
  const result = await buildDemo({ config, clock: systemClock, log: (line) => { console.log(line) } })
  for (const line of summaryLines(result, config)) console.log(line)
  console.log(`(${((Date.now() - started) / 1000).toFixed(1)} s)`)
} catch (err) {
  if (err instanceof DemoRefusedError) {
    console.error(err.message)
  } else {
    console.error('La démo n\'a pas pu être préparée / the demo could not be prepared:')
    console.error(err)
  }
  process.exitCode = 1
}
