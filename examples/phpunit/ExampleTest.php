<?php
require_once __DIR__ . '/MorboxTestCase.php';

// Example tests an integrator would write against morbox.
final class ExampleTest extends MorboxTestCase
{
    public function testUserDetails(): void
    {
        $doc = $this->call('user_details_get', ['u' => 'admin', 'user_id' => 5], ['user_id']);
        $this->assertSame('5', (string) $doc->userid);
        $this->assertSame('user1', (string) $doc->details->other_details->username);
    }

    public function testBlockingIsJournaledOnce(): void
    {
        $doc = $this->call('user_details_update', ['u' => 'admin', 'user_id' => 123, 'u15' => 1], ['user_id', 'u15']);
        $this->assertSame('User was updated', (string) $doc->status);
        $blocked = array_filter($this->journal('?call=user_details_update'), function ($r) {
            return ($r['params']['u15'] ?? '') === '1' && $r['params']['user_id'] === '123';
        });
        $this->assertCount(1, $blocked);
        $this->assertSame('***', array_values($blocked)[0]['params']['hash']);
    }

    public function testEachTestStartsFromTheDemoWorld(): void
    {
        $raw = $this->call('user_details_raw_get', ['u' => 'admin', 'user_id' => 123], ['u', 'user_id']);
        $this->assertSame('0', (string) $raw->status->user->blocked);
    }

    public function testWrongHash(): void
    {
        $doc = $this->call('user_details_get', ['u' => 'admin', 'user_id' => 5], ['user_id'], 'wrong');
        $this->assertSame('Incorrect hash', (string) $doc->error);
    }

    public function testProvisioningAPhone(): void
    {
        // A provisioning script gives user2 (id 6) a SIP phone, then finds it in the list.
        $made = $this->call(
            'device_create',
            ['u' => 'admin', 'user_id' => 6, 'description' => 'Front desk', 'type' => 'SIP'],
            ['user_id', 'description', 'pin', 'type', 'devicegroup_id', 'caller_id']
        );
        $this->assertSame('Device created', (string) $made->status);
        $id = (string) $made->id;
        $listed = $this->call('devices_get', ['u' => 'admin', 'user_id' => 6], ['user_id']);
        $found = null;
        foreach ($listed->devices->device as $device) {
            if ((string) $device->device_id === $id) {
                $found = $device;
            }
        }
        $this->assertNotNull($found);
        $this->assertSame((string) $made->password, (string) $found->secret);
        $this->assertSame('yes', (string) $found->primary_device);
        $gone = $this->call('device_delete', ['u' => 'admin', 'device' => $id], ['device']);
        $this->assertSame('Device was deleted', (string) $gone->status);
    }
}
