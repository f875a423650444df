import type { WebSocket } from 'ws'

// How long a closed socket's peer has to answer the close frame before the connection is cut.
const CLOSE_GRACE_MS = 1000

/**
 * Closes a socket with an application code the page can show, and cuts the connection if the
 * peer does not answer in time: `ws` would otherwise keep each refused socket for 30 s.
 */
export function closeSocket (socket: WebSocket, code: number, reason: string): void {
  if (socket.readyState !== socket.OPEN) return
  socket.close(code, reason)
  setTimeout(() => { socket.terminate() }, CLOSE_GRACE_MS).unref()
}
