// Makes sure no component outlives the process that started it. Ctrl-C/SIGTERM stop the cluster
// gracefully; a synchronous 'exit' handler SIGKILLs whatever is left; and a tiny detached watchdog
// (bash) kills the recorded process groups if this process dies without running either (SIGKILL,
// OOM kill).
import { spawn, type ChildProcess } from "node:child_process";
import { appendFileSync, writeFileSync } from "node:fs";

export interface Reaper {
  /** Records a process group for the watchdog. */
  track(pgid: number): void;
  /** Disarms the watchdog: after a clean shutdown (forgetting the groups), or to leave them running. */
  disarm(keepList?: boolean): void;
}

export function startReaper(groupsFile: string): Reaper {
  writeFileSync(groupsFile, "");
  const script = [
    `while kill -0 ${process.pid} 2>/dev/null; do sleep 2; done`,
    `while read -r g; do [ -n "$g" ] && kill -KILL -- "-$g" 2>/dev/null; done < "$1"`,
  ].join("; ");
  const watchdog: ChildProcess = spawn("bash", ["-c", script, "reaper", groupsFile], {
    detached: true,
    stdio: "ignore",
  });
  watchdog.unref();
  return {
    track: (pgid) => {
      appendFileSync(groupsFile, `${pgid}\n`);
    },
    disarm: (keepList = false) => {
      if (!keepList) writeFileSync(groupsFile, "");
      if (watchdog.pid !== undefined) {
        try {
          process.kill(watchdog.pid, "SIGKILL");
        } catch {
          // already gone
        }
      }
    },
  };
}

export interface ShutdownHooks {
  /** Graceful stop (SIGINT/SIGTERM). */
  readonly stop: () => Promise<void>;
  /** Synchronous last resort from the 'exit' event. */
  readonly killSync: () => void;
}

/** Installs signal and exit handlers; returns a function that removes them. */
export function onShutdown(hooks: ShutdownHooks): () => void {
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (stopping) {
      hooks.killSync();
      process.exit(130);
    }
    stopping = true;
    process.stderr.write(`\n${signal}: stopping the cluster…\n`);
    void hooks.stop().finally(() => process.exit(signal === "SIGINT" ? 130 : 143));
  };
  const onExit = (): void => {
    hooks.killSync();
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  process.on("SIGHUP", onSignal);
  process.on("exit", onExit);
  return () => {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
    process.off("SIGHUP", onSignal);
    process.off("exit", onExit);
  };
}
