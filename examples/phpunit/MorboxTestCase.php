<?php
// A PHPUnit base class for testing MOR API client code against morbox: one throwaway morbox per
// test class (`serve --ephemeral --demo --test-endpoints` on a free loopback port), reset to its
// starting state before every test with the request journal cleared.
// Copy it into your suite; point MORBOX_BIN at the morbox binary.

use PHPUnit\Framework\TestCase;

abstract class MorboxTestCase extends TestCase
{
    protected static $proc;
    protected static $pipes;
    protected static $url;

    public static function setUpBeforeClass(): void
    {
        $bin = getenv('MORBOX_BIN') ?: __DIR__ . '/../../target/debug/morbox';
        $cmd = [$bin, 'serve', '--ephemeral', '--demo', '--test-endpoints', '--listen', '127.0.0.1:0'];
        self::$proc = proc_open($cmd, [1 => ['pipe', 'w'], 2 => ['file', '/dev/null', 'a']], self::$pipes);
        $line = trim(fgets(self::$pipes[1]));
        if (strpos($line, 'morbox listening on http://127.0.0.1:') !== 0) {
            throw new RuntimeException("morbox did not start: $line");
        }
        self::$url = substr($line, strlen('morbox listening on '));
    }

    public static function tearDownAfterClass(): void
    {
        proc_terminate(self::$proc, 15);
        proc_close(self::$proc);
    }

    protected function setUp(): void
    {
        $this->http('POST', '/_morbox/reset');
        $this->http('DELETE', '/_morbox/requests');
    }

    protected function http(string $method, string $path, ?string $body = null): string
    {
        $ch = curl_init(self::$url . $path);
        curl_setopt($ch, CURLOPT_CUSTOMREQUEST, $method);
        curl_setopt($ch, CURLOPT_RETURNTRANSFER, true);
        curl_setopt($ch, CURLOPT_POSTFIELDS, $body ?? '');
        if (strpos($path, '/_morbox/') === 0 && $method !== 'GET') {
            // A test endpoint that changes something wants this header (no web page can send
            // it to another origin without asking first).
            curl_setopt($ch, CURLOPT_HTTPHEADER, ['X-Morbox: 1']);
        }
        $out = curl_exec($ch);
        curl_close($ch);
        return $out;
    }

    /** POSTs an API call signed with sha1(values of $hashed, in order, then $key). */
    protected function call(string $name, array $params, array $hashed, string $key = 'secret'): SimpleXMLElement
    {
        $s = '';
        foreach ($hashed as $h) {
            if (isset($params[$h])) {
                $s .= $params[$h];
            }
        }
        $params['hash'] = sha1($s . $key);
        return new SimpleXMLElement($this->http('POST', "/billing/api/$name", http_build_query($params)));
    }

    /** Every journal entry (oldest first), page after page; $query as '?call=…&u=…'. */
    protected function journal(string $query = ''): array
    {
        $found = [];
        $after = 0;
        $sep = $query === '' ? '?' : '&';
        do {
            $page = json_decode($this->http('GET', "/_morbox/requests$query{$sep}after=$after"), true);
            $found = array_merge($found, $page['requests']);
            $after = $page['next'];
        } while ($after !== null);
        return $found;
    }
}
