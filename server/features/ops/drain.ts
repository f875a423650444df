import { LIVE_CLOSE } from '../../../shared/schemas/live.js'
import { closeSocket } from '../live/close-socket.js'
import type { LiveClient } from '../live/live-hub.js'

/**
 * The drain's state (README "Operating Créneaux"). `draining`: readiness answers 503 so that the
 * load balancer sends nothing new here; `refusing` (after the grace): new requests and sockets
 * are answered 503 too, and the open sockets are closed with LIVE_CLOSE.draining.
 */
export class DrainState {
  draining = false
  refusing = false
}

const POLL_MS = 10

/**
 * Closes every open live socket with LIVE_CLOSE.draining once the commands it is running are
 * answered: a command is either run and answered before the close, or not run at all (those that
 * arrive once the socket is marked are ignored, and the page sends them again to another instance).
 */
export async function closeLiveSockets (clients: Iterable<LiveClient>, maxWaitMs: number): Promise<void> {
  const all = [...clients]
  for (const c of all) c.draining = true
  const deadline = Date.now() + maxWaitMs
  await Promise.all(all.map(async (c) => {
    while ((c.inFlight ?? 0) > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, POLL_MS))
    closeSocket(c.socket, LIVE_CLOSE.draining, 'server restarting: reconnect now with ?since=')
  }))
}
