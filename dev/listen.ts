import type { Server } from 'node:http';

/** Thrown when a port of the local run cannot be used; the message says which setting changes it. */
export class PortInUseError extends Error {
  override readonly name = 'PortInUseError';
}

/**
 * Listens on 127.0.0.1 only (nothing of the local run is reachable from other machines). A port in use
 * becomes a PortInUseError naming what wanted it and the variable that moves it.
 */
export function listenOn(server: Server, port: number, what: string, setting?: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException) => {
      server.off('listening', onListening);
      if (error.code === 'EADDRINUSE' || error.code === 'EACCES') {
        const hint = setting ? ` (set ${setting} to use another port)` : '';
        reject(
          new PortInUseError(
            `${what}: port ${port} on 127.0.0.1 is ${error.code === 'EACCES' ? 'not allowed' : 'in use'}${hint}. ` +
              'Is another "npm run dev" still running?',
          ),
        );
      } else reject(error);
    };
    const onListening = () => {
      server.off('error', onError);
      resolve();
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen(port, '127.0.0.1');
  });
}
