"""Example tests an integrator would write: call the API as their client does, then assert on
the answer and on the journal of what morbox received."""
import json
import xml.etree.ElementTree as ET


def block_user(morbox, user_id):
    """The 'client code' under test: blocks a user through user_details_update."""
    return morbox.call(
        "user_details_update",
        {"u": "admin", "user_id": user_id, "u15": 1},
        hashed=("user_id", "u15"),
    )


def test_user_details(morbox):
    doc = ET.fromstring(morbox.call("user_details_get", {"u": "admin", "user_id": 5}, hashed=("user_id",)))
    assert doc.findtext("userid") == "5"
    assert doc.findtext("details/other_details/username") == "user1"
    assert doc.findtext("details/main_detail/balance") == "12.50 EUR"


def test_blocking_writes_once_and_is_journaled(morbox):
    answer = ET.fromstring(block_user(morbox, 123))
    assert answer.findtext("status") == "User was updated"
    blocked = [r for r in morbox.requests(call="user_details_update")
               if r["params"].get("u15") == "1" and r["params"]["user_id"] == "123"]
    assert len(blocked) == 1
    assert blocked[0]["changed"] == ["users.blocked"]
    assert blocked[0]["params"]["hash"] == "***"
    raw = ET.fromstring(morbox.call("user_details_raw_get", {"u": "admin", "user_id": 123}, hashed=("u", "user_id")))
    assert raw.findtext("status/user/blocked") == "1"


def test_each_test_starts_from_the_demo_world(morbox):
    # The previous test blocked user 123; the reset undid it.
    raw = ET.fromstring(morbox.call("user_details_raw_get", {"u": "admin", "user_id": 123}, hashed=("u", "user_id")))
    assert raw.findtext("status/user/blocked") == "0"
    # And the journal holds only this test's request.
    assert [r["call"] for r in morbox.requests()] == ["user_details_raw_get"]


def test_wrong_hash_is_refused(morbox):
    doc = ET.fromstring(morbox.call("user_details_get", {"u": "admin", "user_id": 5}, key="wrong", hashed=("user_id",)))
    assert doc.findtext("error") == "Incorrect hash"
    assert morbox.requests()[-1]["outcome"] == "Incorrect hash"


def provision_phone(morbox, user_id, description):
    """The 'client code' under test: gives a user a new SIP phone, as a provisioning script
    does, and returns its id, username and secret."""
    doc = ET.fromstring(morbox.call(
        "device_create",
        {"u": "admin", "user_id": user_id, "description": description, "type": "SIP"},
        hashed=("user_id", "description", "pin", "type", "devicegroup_id", "caller_id"),
    ))
    assert doc.findtext("error") is None, ET.tostring(doc)
    return doc.findtext("id"), doc.findtext("username"), doc.findtext("password")


def test_provisioning_a_phone(morbox):
    device_id, username, secret = provision_phone(morbox, 6, "Front desk")
    listed = ET.fromstring(morbox.call("devices_get", {"u": "admin", "user_id": 6}, hashed=("user_id",)))
    phones = {d.findtext("device_id"): d for d in listed.iter("device")}
    assert phones[device_id].findtext("username") == username
    assert phones[device_id].findtext("secret") == secret
    # user2 had no device: the new one is its primary device.
    assert phones[device_id].findtext("primary_device") == "yes"
    # The journal keeps the request and the answer, the secret masked.
    created = morbox.requests(call="device_create")[-1]
    assert created["outcome"] == "ok"
    assert created["changed"] == ["devices.id"]
    assert secret not in json.dumps(created)
    # A new password, then the phone goes.
    updated = ET.fromstring(morbox.call(
        "device_update",
        {"u": "admin", "device": device_id, "password": "Changed123"},
        hashed=("device", "authentication", "username", "host", "port"),
    ))
    assert updated.findtext("status/success") == "Device successfully updated"
    deleted = ET.fromstring(morbox.call("device_delete", {"u": "admin", "device": device_id}, hashed=("device",)))
    assert deleted.findtext("status") == "Device was deleted"
