/**
 * The real CLI hands memory back after a burst of output: a program prints 12 MB with no device
 * attached (every byte still goes through the session's document and its store), and once the output
 * stops the host collects garbage, trims glibc's heap and drops the store's mapped pages (its debug log
 * says so, with the RSS before and after).
 */
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { startCli } from '../helpers/cli-host.js';
import { waitFor } from '../helpers/wait-for.js';

interface ReleaseLine {
  msg: string;
  collect: boolean;
  done: boolean;
  rssMiB: [number, number];
}

it('the host releases memory once a burst of output is over', async () => {
  const cli = startCli(
    ['remote-control', '--json', '--local', '--port', '0', '--log-level', 'debug', '--', 'sh', '-c', "head -c 12000000 /dev/zero | tr '\\0' x; sleep 60"],
    {},
    undefined,
    false,
    ['--expose-gc'],
  );
  try {
    await cli.event('ready', 20_000);
    const releases = (): ReleaseLine[] =>
      cli
        .stderr()
        .split('\n')
        .filter((l) => l.includes('memory released after a burst'))
        .map((l) => JSON.parse(l) as ReleaseLine);
    await waitFor(() => releases().length >= 2, 60_000, 'two releases after the burst', async () => cli.stderr().slice(-2000));
    const [first, second] = releases();
    assert.equal(first!.done, true, 'glibc and koffi are there');
    assert.equal(first!.collect, true, 'the first release collects garbage first');
    assert.equal(second!.collect, false);
    assert.ok(first!.rssMiB[1] <= first!.rssMiB[0], `RSS ${first!.rssMiB.join(' → ')} MiB`);
  } finally {
    await cli.stop();
  }
});
