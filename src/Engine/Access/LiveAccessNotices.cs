namespace SalesDash.Engine.Access;

/// <summary>
/// What every node hears when live access is revoked on any node: SignalR connections live on the node a browser
/// happens to reach, while the revocation happens where the admin's request went. Lives in Engine so that
/// <see cref="Persistence.SalesDashSerializer"/> can name it on the wire.
/// </summary>
public static class LiveAccessNotices
{
    /// <summary>The cluster pub-sub topic revocations travel on.</summary>
    public const string Topic = "live-access-revoked";

    /// <summary>A grant (a member, an API key, a share link or a dashboard's links) no longer gives live access.</summary>
    public sealed record AccessRevoked(string Grant);
}
