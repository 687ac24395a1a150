using System.Security.Claims;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Time.Testing;
using SalesDash.Web.Hubs;

namespace SalesDash.Web.Tests.Hubs;

/// <summary>The node's register of live connections by grant, without a hub.</summary>
public sealed class LiveConnectionsTests
{
    /// <summary>
    /// The client sees its connection close as soon as the server aborts it, so whatever reacts to that close (a
    /// person, or <see cref="LiveRevocationTests"/>) must find the grant already released. Releasing only after Abort
    /// returned raced with that under load (LiveRevocationTests.Removed_member_stops_receiving_live_tiles in CI).
    /// </summary>
    [Fact]
    public void A_revoked_connection_no_longer_holds_its_grant_when_it_is_aborted()
    {
        var connections = new LiveConnections(new FakeTimeProvider());
        var grant = LiveGrants.Member("acme", "user-1");
        var other = LiveGrants.Member("acme", "user-2");
        var first = new RecordingConnection("c1", () => (connections.Holding(grant), connections.Holding(other)));
        var second = new RecordingConnection("c2", () => (connections.Holding(grant), connections.Holding(other)));
        var bystander = new RecordingConnection("c3", () => (0, 0));
        connections.Hold(first, [grant]);
        connections.Hold(second, [grant, other]);
        connections.Hold(bystander, [other]);

        Assert.Equal(2, connections.End(grant));

        // At the moment each was aborted, neither it nor the one before still held the grant.
        Assert.Equal((0, 1), first.HoldingWhenAborted);
        Assert.Equal((0, 1), second.HoldingWhenAborted);
        Assert.False(bystander.Aborted);
        Assert.Equal((0, 1), (connections.Holding(grant), connections.Holding(other)));
    }

    private sealed class RecordingConnection(string id, Func<(int Grant, int Other)> holding) : HubCallerContext
    {
        public (int Grant, int Other)? HoldingWhenAborted { get; private set; }

        public bool Aborted => HoldingWhenAborted is not null;

        public override string ConnectionId => id;

        public override string? UserIdentifier => null;

        public override ClaimsPrincipal? User => null;

        public override IDictionary<object, object?> Items { get; } = new Dictionary<object, object?>();

        public override IFeatureCollection Features { get; } = new FeatureCollection();

        public override CancellationToken ConnectionAborted => CancellationToken.None;

        public override void Abort() => HoldingWhenAborted ??= holding();
    }
}
