"""The login throttle's schedule, on a clock the test turns by hand."""

from __future__ import annotations

from skywarden.service.throttle import LoginThrottle, retry_after_header


class Clock:
    def __init__(self) -> None:
        self.t = 1000.0

    def __call__(self) -> float:
        return self.t


def test_backoff_doubles_after_the_free_failures_up_to_the_cap() -> None:
    clock = Clock()
    th = LoginThrottle(free_per_user=5, free_per_address=100, base_s=1.0, cap_s=8.0, clock=clock)
    for _ in range(4):
        th.failed("ana", "10.0.0.1")
        assert th.retry_after("ana", "10.0.0.1") == 0.0
    waits = []
    for _ in range(6):
        th.failed("ana", "10.0.0.1")
        waits.append(th.retry_after("ana", "10.0.0.1"))
    assert waits == [1.0, 2.0, 4.0, 8.0, 8.0, 8.0]
    assert th.retry_after("bo", "10.0.0.2") == 0.0  # another name, another address
    clock.t += 8.0
    assert th.retry_after("ana", "10.0.0.1") == 0.0
    th.succeeded("ana", "10.0.0.1")
    th.failed("ana", "10.0.0.1")
    assert th.retry_after("ana", "10.0.0.1") == 0.0  # a success starts the count again


def test_the_address_is_throttled_across_names_and_counts_are_forgotten() -> None:
    clock = Clock()
    th = LoginThrottle(free_per_address=3, forget_s=60.0, clock=clock)
    for k in range(3):
        th.failed(f"n{k}", "10.0.0.9")
    assert th.retry_after("someone-else", "10.0.0.9") == 1.0
    assert th.retry_after("someone-else", "10.0.0.8") == 0.0
    clock.t += 61.0
    assert th.retry_after("someone-else", "10.0.0.9") == 0.0


def test_audit_milestones_are_logarithmic_and_keys_are_bounded() -> None:
    th = LoginThrottle(free_per_user=5, free_per_address=10**9, max_keys=50, clock=Clock())
    audited = [n for n in range(1, 200) if th.failed("ana", "a").worth_auditing]
    assert audited == [1, 5, 10, 20, 40, 80, 160]
    for k in range(500):
        th.failed(f"spray{k}", "b")
    assert len(th._counts) <= 50
    assert retry_after_header(0.2) == "1" and retry_after_header(7.01) == "8"
