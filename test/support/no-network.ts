/**
 * Set up for the unit lane only (vitest.unit.config.ts): a unit test that listens on a port or connects to one
 * (an emulator, dynalite, fauxqs, moto, a feed server, even loopback) fails at once, naming where it belongs.
 */
import net from 'node:net';

const refusal = (what: string) =>
  new Error(`a unit test ${what}: tests that use the network belong in test/integration`);

net.Server.prototype.listen = function listen(): never {
  throw refusal('listens on a port');
};
net.Socket.prototype.connect = function connect(): never {
  throw refusal('opens a connection');
};
