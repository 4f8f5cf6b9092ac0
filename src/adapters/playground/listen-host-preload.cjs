'use strict';
/**
 * Loaded into the Agents Playground's process with `node --require`: the Playground has no host
 * option and listens on every interface. A listen() that names no host gets
 * SEAT_STEWARD_LISTEN_HOST (loopback in anonymous mode), so the Playground, which relays anyone's
 * messages to a bot that checks no token, is not reachable from the network.
 */
const net = require('node:net');

const host = process.env.SEAT_STEWARD_LISTEN_HOST;
if (host) {
  const listen = net.Server.prototype.listen;
  net.Server.prototype.listen = function listenOnHost(...args) {
    const first = args[0];
    if (args.length === 0 || typeof first === 'function') {
      // listen([callback]): any free port.
      args.unshift(0, host);
    } else if (typeof first === 'number' || (typeof first === 'string' && /^\d+$/.test(first))) {
      // listen(port[, host][, backlog][, callback]): a host is the string right after the port.
      if (args.length > 1 && (args[1] === undefined || args[1] === null)) args[1] = host;
      else if (typeof args[1] !== 'string') args.splice(1, 0, host);
    } else if (
      first &&
      typeof first === 'object' &&
      first.host === undefined &&
      first.path === undefined &&
      first.fd === undefined &&
      first._handle === undefined &&
      first.handle === undefined
    ) {
      args[0] = { ...first, host };
    }
    return listen.apply(this, args);
  };
}
