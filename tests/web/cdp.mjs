// cdp.mjs — headless Chromium driven over the DevTools protocol through a pipe
// (--remote-debugging-pipe: JSON messages ended by NUL on file descriptors 3 and 4), so the
// playground's test needs nothing beyond Debian's chromium and node.
import {spawn} from 'node:child_process';
import {mkdtempSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';

export async function launch(chromium = '/usr/bin/chromium', width = 1400, height = 1000) {
  const profile = mkdtempSync(join(tmpdir(), 'dropnet-web-'));
  const proc = spawn(chromium, ['--headless=new', '--no-sandbox', '--disable-gpu', '--remote-debugging-pipe',
    `--user-data-dir=${profile}`, `--window-size=${width},${height}`, '--allow-file-access-from-files',
    // a foreground tab: headless Chromium otherwise paces frames and timers as a background one
    '--disable-background-timer-throttling', '--disable-renderer-backgrounding',
    '--disable-backgrounding-occluded-windows', ...(process.env.PG_FLAGS ? process.env.PG_FLAGS.split(' ') : []),
    'about:blank'], {stdio: ['ignore', 'ignore', 'pipe', 'pipe', 'pipe']});
  let nextId = 1, buffer = '';
  const pending = new Map();
  proc.stdio[4].on('data', (chunk) => {
    buffer += chunk.toString('utf8');
    let end;
    while ((end = buffer.indexOf('\0')) >= 0) {
      const msg = JSON.parse(buffer.slice(0, end));
      buffer = buffer.slice(end + 1);
      if (msg.id && pending.has(msg.id)) {
        const {resolve, reject} = pending.get(msg.id);
        pending.delete(msg.id);
        msg.error ? reject(new Error(JSON.stringify(msg.error))) : resolve(msg.result);
      }
    }
  });
  const send = (method, params = {}, sessionId) => new Promise((resolve, reject) => {
    const id = nextId++;
    pending.set(id, {resolve, reject});
    proc.stdio[3].write(JSON.stringify({id, method, params, sessionId}) + '\0');
  });
  const {targetInfos} = await send('Target.getTargets');
  const page = targetInfos.find((t) => t.type === 'page');
  const {sessionId} = await send('Target.attachToTarget', {targetId: page.targetId, flatten: true});
  const session = (method, params) => send(method, params, sessionId);
  await session('Page.enable');
  await session('Emulation.setDeviceMetricsOverride', {width, height, deviceScaleFactor: 1, mobile: false});
  return {
    session,
    async goto(url) { await session('Page.navigate', {url}); await new Promise((r) => setTimeout(r, 500)); },
    async evaluate(expression) {
      const r = await session('Runtime.evaluate', {expression, awaitPromise: true, returnByValue: true});
      if (r.exceptionDetails) throw new Error(JSON.stringify(r.exceptionDetails));
      return r.result.value;
    },
    async screenshot(width, height) {
      if (width) await session('Emulation.setDeviceMetricsOverride', {width, height, deviceScaleFactor: 1, mobile: width < 600});
      const r = await session('Page.captureScreenshot', {format: 'png', captureBeyondViewport: false});
      return Buffer.from(r.data, 'base64');
    },
    // the rectangle {x, y, width, height} of the page (CSS pixels from the document's top left),
    // which must lie in the viewport (captured beyond it, the page would be laid out again
    // without its scroll bar, and the rectangle move): one column without the space beside it
    async screenshotClip(clip) {
      const r = await session('Page.captureScreenshot', {format: 'png', captureBeyondViewport: false,
                                                         clip: {...clip, scale: 1}});
      return Buffer.from(r.data, 'base64');
    },
    async close() {
      const exited = new Promise((r) => proc.once('exit', r));
      proc.kill();
      await exited;
      // Chromium's helpers may still be writing: retried, and a profile left behind in /tmp is a
      // note, not a failure of the checks that ran (a loaded run of December 2026 hit ENOTEMPTY
      // after the ten retries, and `make web-screenshots` then copied no shot)
      try {
        rmSync(profile, {recursive: true, force: true, maxRetries: 30, retryDelay: 200});
      } catch (e) {
        console.log(`note: Chromium's profile ${profile} not removed (${e.code})`);
      }
    },
  };
}
