using Microsoft.Extensions.Time.Testing;
using SalesDash.Web.Reports;

namespace SalesDash.Web.Tests.Reports;

/// <summary>The rules of at-least-once report sends (claims, leases, take-overs), on a fake clock and no database.</summary>
public sealed class ReportSendClaimsTests
{
    private static readonly TimeSpan Lease = TimeSpan.FromMinutes(2);

    private static readonly ReportSenderId NodeA = new("10.0.0.1:4053", "a-incarnation");

    private static readonly ReportSenderId NodeB = new("10.0.0.2:4053", "b-incarnation");

    private static ReportSend NewSend(DateTimeOffset now) => new("send-1", "report-1", "acme", "scheduled", now, null, new DateOnly(2026, 11, 25),
        new DateOnly(2026, 11, 25), ["ops@acme.test"], ReportSendStatus.Running, null, 0, null, null);

    [Fact]
    public void A_new_send_is_attempt_one_held_by_its_node_for_one_lease()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 11, 26, 7, 0, 20, TimeSpan.Zero));
        var send = ReportSendClaims.Start(NewSend(clock.GetUtcNow()), NodeA, "claim-a", clock.GetUtcNow(), Lease);

        Assert.Equal((ReportSendStatus.Running, 1, "10.0.0.1:4053", "claim-a", clock.GetUtcNow() + Lease, (string?)null),
            (send.Status, send.Attempts, send.Node, send.ClaimId, send.LeaseUntil, send.TakenOverFrom));
    }

    [Fact]
    public void A_send_is_taken_over_only_once_its_lease_has_run_out_and_says_from_which_node()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 11, 26, 7, 0, 20, TimeSpan.Zero));
        var send = ReportSendClaims.Start(NewSend(clock.GetUtcNow()), NodeA, "claim-a", clock.GetUtcNow(), Lease);

        // Within the lease: A may be rendering or mailing right now.
        clock.Advance(Lease - TimeSpan.FromSeconds(1));
        Assert.False(ReportSendClaims.IsAbandoned(send, clock.GetUtcNow()));
        Assert.Null(ReportSendClaims.TakeOver(send, NodeB, "claim-b", clock.GetUtcNow(), Lease, maxAttempts: 4));

        // A renewed it: the lease starts again from the renewal.
        send = ReportSendClaims.Renew(send, "claim-a", clock.GetUtcNow(), Lease)!;
        clock.Advance(Lease - TimeSpan.FromSeconds(1));
        Assert.Null(ReportSendClaims.TakeOver(send, NodeB, "claim-b", clock.GetUtcNow(), Lease, maxAttempts: 4));

        // A fell silent: once the lease has run out B takes the send over as attempt 2.
        clock.Advance(TimeSpan.FromSeconds(1));
        var taken = ReportSendClaims.TakeOver(send, NodeB, "claim-b", clock.GetUtcNow(), Lease, maxAttempts: 4);
        Assert.NotNull(taken);
        Assert.Equal((ReportSendStatus.Running, 2, "10.0.0.2:4053", "10.0.0.1:4053", "claim-b", clock.GetUtcNow() + Lease),
            (taken.Status, taken.Attempts, taken.Node, taken.TakenOverFrom, taken.ClaimId, taken.LeaseUntil));
        Assert.Equal((send.Id, send.PeriodFrom, send.StartedAt), (taken.Id, taken.PeriodFrom, taken.StartedAt));

        // A's claim no longer holds it: its next renewal fails, so it stops before mailing.
        Assert.Null(ReportSendClaims.Renew(taken, "claim-a", clock.GetUtcNow(), Lease));
        Assert.NotNull(ReportSendClaims.Renew(taken, "claim-b", clock.GetUtcNow(), Lease));
    }

    [Fact]
    public void Sent_and_failed_sends_and_sends_from_before_leases_are_never_taken_over()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 11, 26, 7, 0, 20, TimeSpan.Zero));
        var running = ReportSendClaims.Start(NewSend(clock.GetUtcNow()), NodeA, "claim-a", clock.GetUtcNow(), Lease);
        clock.Advance(TimeSpan.FromDays(1));
        var now = clock.GetUtcNow();

        Assert.Null(ReportSendClaims.TakeOver(running with { Status = ReportSendStatus.Sent, LeaseUntil = null }, NodeB, "claim-b", now, Lease, 4));
        Assert.Null(ReportSendClaims.TakeOver(running with { Status = ReportSendStatus.Failed, LeaseUntil = null }, NodeB, "claim-b", now, Lease, 4));
        Assert.Null(ReportSendClaims.TakeOver(NewSend(now.AddDays(-3)), NodeB, "claim-b", now, Lease, 4));
        Assert.NotNull(ReportSendClaims.TakeOver(running, NodeB, "claim-b", now, Lease, 4));
    }

    [Fact]
    public void A_send_whose_last_allowed_attempt_was_abandoned_fails_for_good_instead_of_killing_node_after_node()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 11, 26, 7, 0, 20, TimeSpan.Zero));
        var send = ReportSendClaims.Start(NewSend(clock.GetUtcNow()), NodeA, "claim-a", clock.GetUtcNow(), Lease) with { Attempts = 3 };
        clock.Advance(Lease);

        var given = ReportSendClaims.TakeOver(send, NodeB, "claim-b", clock.GetUtcNow(), Lease, maxAttempts: 3)!;
        Assert.Equal((ReportSendStatus.Failed, 3, (DateTimeOffset?)null, (DateTimeOffset?)null, clock.GetUtcNow()),
            (given.Status, given.Attempts, given.NextAttemptAt, given.LeaseUntil, given.FinishedAt));
        Assert.Contains("10.0.0.1:4053", given.Error, StringComparison.Ordinal);
        Assert.Null(ReportSendClaims.TakeOver(given, NodeB, "claim-c", clock.GetUtcNow() + Lease, Lease, maxAttempts: 3));
    }

    [Fact]
    public void A_failed_send_is_retried_as_the_next_attempt_under_a_new_claim_and_a_running_one_is_not()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 11, 26, 7, 0, 20, TimeSpan.Zero));
        var failed = NewSend(clock.GetUtcNow()) with { Status = ReportSendStatus.Failed, Attempts = 1, Error = "relay down", NextAttemptAt = clock.GetUtcNow(), ClaimId = "claim-a" };

        var retry = ReportSendClaims.Retry(failed, NodeB, "claim-b", clock.GetUtcNow(), Lease)!;
        Assert.Equal((ReportSendStatus.Running, 2, "claim-b", (string?)null, (DateTimeOffset?)null), (retry.Status, retry.Attempts, retry.ClaimId, retry.Error, retry.NextAttemptAt));
        Assert.Null(ReportSendClaims.Retry(retry, NodeA, "claim-c", clock.GetUtcNow(), Lease));
    }

    [Fact]
    public void Every_attempt_of_a_send_carries_the_same_message_id()
    {
        Assert.Equal("report-send-0193abc@salesdash.test", ReportSendClaims.MessageIdFor("0193abc", "salesdash.test"));
        Assert.Equal(ReportSendClaims.MessageIdFor("x", "d"), ReportSendClaims.MessageIdFor("x", "d"));
    }
}
