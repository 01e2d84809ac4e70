// Preload for the daemon (`node --import ./bench/lib/trace-runtime.mjs dist/cli/main.js daemon ...`):
// wraps every DockerRuntime method, its own and those it inherits (the supervision calls live in
// DockerSupervisionRuntime, its base), so each engine call writes one JSON line to the file named
// by COMPOSED_BENCH_TRACE: {m, t0, t1, id?} with times in epoch ms (fractional). Used only to
// profile where a replacement's time goes; it changes no behaviour of the daemon.
import { appendFileSync } from 'node:fs';

const file = process.env.COMPOSED_BENCH_TRACE;
if (file) {
  const { DockerRuntime } = await import(new URL('../../dist/daemon/docker/runtime.js', import.meta.url).href);
  const now = () => performance.timeOrigin + performance.now();
  const write = (entry) => appendFileSync(file, JSON.stringify(entry) + '\n');
  const names = new Set();
  for (let proto = DockerRuntime.prototype; proto && proto !== Object.prototype; proto = Object.getPrototypeOf(proto)) {
    for (const name of Object.getOwnPropertyNames(proto)) {
      if (typeof Object.getOwnPropertyDescriptor(proto, name)?.value === 'function') names.add(name);
    }
  }
  for (const name of names) {
    if (name === 'constructor' || name === 'events' || name === 'followLogs') continue;
    const original = DockerRuntime.prototype[name];
    DockerRuntime.prototype[name] = function traced(...args) {
      const t0 = now();
      const arg = typeof args[0] === 'string' ? args[0].slice(0, 12) : args[0]?.name;
      const result = original.apply(this, args);
      if (result && typeof result.then === 'function') {
        return result.then(
          (value) => (write({ m: name, t0, t1: now(), arg }), value),
          (error) => (write({ m: name, t0, t1: now(), arg, err: String(error?.message ?? error).slice(0, 200) }), Promise.reject(error)),
        );
      }
      write({ m: name, t0, t1: now(), arg });
      return result;
    };
  }
  // The event stream: note when each engine event reaches the daemon.
  const events = DockerRuntime.prototype.events;
  DockerRuntime.prototype.events = async function* tracedEvents(signal) {
    for await (const event of events.call(this, signal)) {
      write({ m: 'event', t0: now(), action: event.action ?? event.kind, name: event.name, engineTime: event.time });
      yield event;
    }
  };
}
