namespace SalesDash.Web.Reports;

/// <summary>
/// A node's identity as a report sender: <paramref name="Name"/> is what the send history shows (the node's cluster
/// address), <paramref name="Incarnation"/> tells a restarted node on the same address from the one that died there.
/// </summary>
public sealed record ReportSenderId(string Name, string Incarnation);

/// <summary>
/// Who may work on a send, and when another node may take it over: the rules of at-least-once sends, kept pure so they
/// are tested with a fake clock and no database. Every attempt runs under a new claim (its id and a lease); the node
/// renews the lease while it works, and once the lease has run out with no mail accepted (the send is still
/// <see cref="ReportSendStatus.Running"/>) the next node to look takes the send over as a new attempt. The store
/// applies each decision only if the send is still as it was read (same status and claim), so two nodes never both win.
/// </summary>
public static class ReportSendClaims
{
    /// <summary>A new send's first attempt, claimed by <paramref name="node"/>.</summary>
    public static ReportSend Start(ReportSend send, ReportSenderId node, string claimId, DateTimeOffset now, TimeSpan lease)
    {
        ArgumentNullException.ThrowIfNull(send);
        ArgumentNullException.ThrowIfNull(node);
        return Claimed(send, node, claimId, now, lease) with { Attempts = 1, TakenOverFrom = null };
    }

    /// <summary>The next attempt of a failed send; null when the send is not failed (sent, or another node is on it).</summary>
    public static ReportSend? Retry(ReportSend send, ReportSenderId node, string claimId, DateTimeOffset now, TimeSpan lease)
    {
        ArgumentNullException.ThrowIfNull(send);
        ArgumentNullException.ThrowIfNull(node);
        return send.Status == ReportSendStatus.Failed
            ? Claimed(send, node, claimId, now, lease) with { Attempts = send.Attempts + 1, TakenOverFrom = null }
            : null;
    }

    /// <summary>
    /// Whether the send was left mid-attempt by a node that stopped renewing it: running, and its lease ran out. A send
    /// with no lease at all was started before sends had leases and is left alone (it would be days late by now).
    /// </summary>
    public static bool IsAbandoned(ReportSend send, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(send);
        return send.Status == ReportSendStatus.Running && send.LeaseUntil is { } until && until <= now;
    }

    /// <summary>
    /// The decision on an abandoned send: the next attempt, under <paramref name="node"/>'s claim, that says whose attempt
    /// it took over; or, when that attempt was the last allowed (a send whose every attempt kills its node must stop),
    /// the send failed for good. Null when the send is not abandoned.
    /// </summary>
    public static ReportSend? TakeOver(ReportSend send, ReportSenderId node, string claimId, DateTimeOffset now, TimeSpan lease, int maxAttempts)
    {
        ArgumentNullException.ThrowIfNull(send);
        ArgumentNullException.ThrowIfNull(node);
        if (!IsAbandoned(send, now))
        {
            return null;
        }

        var from = send.Node ?? "an unknown node";
        if (send.Attempts >= maxAttempts)
        {
            return send with
            {
                Status = ReportSendStatus.Failed,
                FinishedAt = now,
                Error = $"Node {from} stopped during attempt {send.Attempts}, the last of {maxAttempts}; the mail may not have gone.",
                NextAttemptAt = null,
                ClaimId = claimId,
                LeaseUntil = null,
                Node = node.Name,
                TakenOverFrom = from,
            };
        }

        return Claimed(send, node, claimId, now, lease) with { Attempts = send.Attempts + 1, TakenOverFrom = from };
    }

    /// <summary>The send with its lease extended; null when <paramref name="claimId"/> no longer holds it (another node took it over).</summary>
    public static ReportSend? Renew(ReportSend send, string claimId, DateTimeOffset now, TimeSpan lease)
    {
        ArgumentNullException.ThrowIfNull(send);
        return send.Status == ReportSendStatus.Running && send.ClaimId == claimId ? send with { LeaseUntil = now + lease } : null;
    }

    /// <summary>
    /// The send's Message-ID: the same on every attempt (made from the send's id), so the rare duplicate, a node dying
    /// between the server's 250 and our commit, reaches the recipient's server as a copy it can recognise.
    /// </summary>
    public static string MessageIdFor(string sendId, string domain) => $"report-send-{sendId}@{domain}";

    private static ReportSend Claimed(ReportSend send, ReportSenderId node, string claimId, DateTimeOffset now, TimeSpan lease) => send with
    {
        Status = ReportSendStatus.Running,
        Node = node.Name,
        ClaimId = claimId,
        LeaseUntil = now + lease,
        FinishedAt = null,
        Error = null,
        NextAttemptAt = null,
        SmtpReply = null,
    };
}
