using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Protocol;
using Microsoft.Extensions.Options;
using SalesDash.Contracts.Commerce;
using SalesDash.Engine.Tenants;
using Microsoft.Extensions.DependencyInjection;
using SalesDash.Web.Alerts;
using SalesDash.Web.Hubs;

namespace SalesDash.Web.Tests.Hubs;

/// <summary>The typed hub contract sends the message names browsers listen for ("tiles", "alert"), not the C# names.</summary>
public sealed class DashboardClientContractTests
{
    [Fact]
    public async Task Typed_pushes_go_out_under_the_names_browsers_listen_for()
    {
        var sent = new RecordingLifetimeManager();
        await using var services = new ServiceCollection()
            .AddLogging()
            .AddSignalR().Services
            .AddSingleton<HubLifetimeManager<DashboardHub>>(sent)
            .BuildServiceProvider();
        var hub = services.GetRequiredService<IHubContext<DashboardHub, IDashboardClient>>();
        var tiles = new KpiState(new StoreRef("acme", "eu")).Tiles(DateTimeOffset.UnixEpoch, "UTC", "GBP");
        var toast = new AlertToast("a1", "acme", "eu", "Quiet", "NoOrders", "Open", "No orders for an hour", DateTimeOffset.UnixEpoch, null, Figures: null!);

        var push = TilesPush.Of(tiles, new JsonHubProtocolOptions().PayloadSerializerOptions);
        await hub.Clients.Group("store:acme:eu").Tiles(push, TestContext.Current.CancellationToken);
        await hub.Clients.Group("store:acme:eu").Alert(toast, TestContext.Current.CancellationToken);

        Assert.Equal([("store:acme:eu", "tiles"), ("store:acme:eu", "alert")], sent.Messages.Select(m => (m.Group, m.Method)));
        Assert.Same(push, sent.Messages[0].Args.Single());
        Assert.Same(toast, sent.Messages[1].Args.Single());
    }

    [Fact]
    public void A_tile_push_serialised_once_is_on_the_wire_what_the_tiles_themselves_would_be()
    {
        var protocol = new JsonHubProtocol(Options.Create(new JsonHubProtocolOptions()));
        var placed = new DateTimeOffset(2026, 11, 25, 15, 0, 0, TimeSpan.Zero);
        var state = new KpiState(new StoreRef("acme", "eu"));
        state.Apply(new OrderPlaced
        {
            Store = new StoreRef("acme", "eu"), Channel = SalesChannel.Shopify, EventId = "e1", OccurredAt = placed, StoreTimeZone = "Europe/London",
            Currency = "GBP", OrderId = "o1", PlacedAt = placed, Version = placed, TotalPrice = 12.34m, Lines = [new OrderLine("sku", "Mug", 2, 6.17m)],
        });
        var tiles = state.Tiles(placed.AddMinutes(5), "Europe/London", "GBP");

        var pushed = protocol.GetMessageBytes(new InvocationMessage(DashboardHub.TilesMethod, [TilesPush.Of(tiles, new JsonHubProtocolOptions().PayloadSerializerOptions)]));
        var typed = protocol.GetMessageBytes(new InvocationMessage(DashboardHub.TilesMethod, [tiles]));

        Assert.Equal(typed.ToArray(), pushed.ToArray());
        Assert.Contains("\"grossRevenue\":{\"value\":12.34", System.Text.Encoding.UTF8.GetString(pushed.Span), StringComparison.Ordinal);
    }

    private sealed class RecordingLifetimeManager : HubLifetimeManager<DashboardHub>
    {
        public List<(string Group, string Method, object?[] Args)> Messages { get; } = [];

        public override Task SendGroupAsync(string groupName, string methodName, object?[] args, CancellationToken cancellationToken = default)
        {
            Messages.Add((groupName, methodName, args));
            return Task.CompletedTask;
        }

        public override Task OnConnectedAsync(HubConnectionContext connection) => Task.CompletedTask;
        public override Task OnDisconnectedAsync(HubConnectionContext connection) => Task.CompletedTask;
        public override Task SendAllAsync(string methodName, object?[] args, CancellationToken cancellationToken = default) => throw new NotSupportedException();
        public override Task SendAllExceptAsync(string methodName, object?[] args, IReadOnlyList<string> excludedConnectionIds, CancellationToken cancellationToken = default) => throw new NotSupportedException();
        public override Task SendConnectionAsync(string connectionId, string methodName, object?[] args, CancellationToken cancellationToken = default) => throw new NotSupportedException();
        public override Task SendConnectionsAsync(IReadOnlyList<string> connectionIds, string methodName, object?[] args, CancellationToken cancellationToken = default) => throw new NotSupportedException();
        public override Task SendGroupExceptAsync(string groupName, string methodName, object?[] args, IReadOnlyList<string> excludedConnectionIds, CancellationToken cancellationToken = default) => throw new NotSupportedException();
        public override Task SendGroupsAsync(IReadOnlyList<string> groupNames, string methodName, object?[] args, CancellationToken cancellationToken = default) => throw new NotSupportedException();
        public override Task SendUserAsync(string userId, string methodName, object?[] args, CancellationToken cancellationToken = default) => throw new NotSupportedException();
        public override Task SendUsersAsync(IReadOnlyList<string> userIds, string methodName, object?[] args, CancellationToken cancellationToken = default) => throw new NotSupportedException();
        public override Task AddToGroupAsync(string connectionId, string groupName, CancellationToken cancellationToken = default) => Task.CompletedTask;
        public override Task RemoveFromGroupAsync(string connectionId, string groupName, CancellationToken cancellationToken = default) => Task.CompletedTask;
    }
}
