// CPU time of the processes this benchmark started (workerd, redis-server) and of itself, from /proc: a cost per
// request that other people's load on the machine barely moves, unlike wall-clock throughput. Linux only.
// wrangler dev runs two workerd processes: its proxy (which owns the URL the stack hands out) and the Worker.
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync, readlinkSync } from "node:fs";

let ticksPerSecond = 100;
try {
  ticksPerSecond = Number(execFileSync("getconf", ["CLK_TCK"]).toString().trim()) || 100;
} catch {
  // getconf missing: Linux's usual USER_HZ
}

/** utime + stime of a process (all its threads), ms; NaN when it cannot be read. */
function cpuMs(/** @type {number} */ pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / ticksPerSecond;
  } catch {
    return NaN;
  }
}

/** Direct children of this process named workerd or redis-server. */
function children() {
  /** @type {Array<{ pid: number, name: string }>} */
  const out = [];
  /** @type {string[]} */
  let entries;
  try {
    entries = readdirSync("/proc").filter((d) => /^\d+$/.test(d));
  } catch {
    return out;
  }
  for (const dir of entries) {
    try {
      const stat = readFileSync(`/proc/${dir}/stat`, "utf8");
      const name = stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")"));
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      if (ppid === process.pid && (name === "workerd" || name === "redis-server")) out.push({ pid: Number(dir), name });
    } catch {
      // the process ended meanwhile
    }
  }
  return out;
}

/** The inode of the socket listening on 127.0.0.1:port, from /proc/net/tcp. */
function listeningInode(/** @type {number} */ port) {
  const hexPort = port.toString(16).toUpperCase().padStart(4, "0");
  for (const line of readFileSync("/proc/net/tcp", "utf8").split("\n").slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f[1]?.endsWith(`:${hexPort}`) && f[3] === "0A") return f[9];
  }
  return undefined;
}

function ownsSocket(/** @type {number} */ pid, /** @type {string} */ inode) {
  try {
    return readdirSync(`/proc/${pid}/fd`).some((fd) => {
      try {
        return readlinkSync(`/proc/${pid}/fd/${fd}`) === `socket:[${inode}]`;
      } catch {
        return false;
      }
    });
  } catch {
    return false;
  }
}

/**
 * The processes to account, once the stack runs: redis-server, the workerd that listens on the stack's URL
 * (wrangler's dev proxy) and the other workerd (the Worker itself).
 * @param {string} workerUrl
 * @returns {{ redis?: number, proxy?: number, worker?: number }}
 */
export function stackProcesses(workerUrl) {
  const found = children();
  const redis = found.find((p) => p.name === "redis-server")?.pid;
  const workerds = found.filter((p) => p.name === "workerd").map((p) => p.pid);
  let inode;
  try {
    inode = listeningInode(Number(new URL(workerUrl).port));
  } catch {
    inode = undefined;
  }
  const proxy = inode ? workerds.find((pid) => ownsSocket(pid, inode)) : undefined;
  const worker = workerds.find((pid) => pid !== proxy);
  return { ...(redis ? { redis } : {}), ...(proxy ? { proxy } : {}), ...(worker ? { worker } : {}) };
}

/** CPU ms so far of each process, and of this Node process (REST endpoint + load thread + probes). */
export function cpuSnapshot(/** @type {{ redis?: number, proxy?: number, worker?: number }} */ pids) {
  const usage = process.cpuUsage();
  return {
    worker: pids.worker ? cpuMs(pids.worker) : NaN,
    proxy: pids.proxy ? cpuMs(pids.proxy) : NaN,
    redis: pids.redis ? cpuMs(pids.redis) : NaN,
    node: (usage.user + usage.system) / 1000,
  };
}
