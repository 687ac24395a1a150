using SalesDash.Contracts.Commerce;

namespace SalesDash.Connectors.Common;

/// <summary>What became of one delivery or page from a channel: events to ingest, a payload we reject, or one we skip.</summary>
public abstract record NormalizeResult
{
    // Closed hierarchy: only the three cases below exist, so a switch over them is complete.
    private NormalizeResult()
    {
    }

    /// <summary>The payload was understood; ingest these events (possibly none, e.g. a pending order with no money yet).</summary>
    public sealed record Ok(IReadOnlyList<CommerceEvent> Events) : NormalizeResult;

    /// <summary>The payload cannot be used; <see cref="Detail"/> names the field and what is wrong with it.</summary>
    public sealed record Invalid(string Detail) : NormalizeResult;

    /// <summary>A genuine payload SalesDash deliberately does nothing with (an event type it does not track).</summary>
    public sealed record Ignored(string Reason) : NormalizeResult;
}

/// <summary>The verdict on a webhook's signature; <see cref="Problem"/> says why it was refused, for logs and the 401 body.</summary>
public sealed record SignatureCheck(bool IsValid, string? Problem)
{
    public static SignatureCheck Valid { get; } = new(true, null);

    public static SignatureCheck Fail(string problem) => new(false, problem);
}
