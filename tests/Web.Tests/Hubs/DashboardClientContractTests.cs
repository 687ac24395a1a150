using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.DependencyInjection;
using SalesDash.Web.Alerts;
using SalesDash.Web.Hubs;

namespace SalesDash.Web.Tests.Hubs;

/// <summary>The typed hub contract sends the message names browsers listen for ("alert"), not the C# names.</summary>
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
        var toast = new AlertToast("a1", "acme", "eu", "Quiet", "NoOrders", "Open", "No orders for an hour", DateTimeOffset.UnixEpoch, null, Figures: null!);

        await hub.Clients.Group("store:acme:eu").Alert(toast, TestContext.Current.CancellationToken);

        Assert.Equal([("store:acme:eu", "alert")], sent.Messages.Select(m => (m.Group, m.Method)));
        Assert.Same(toast, sent.Messages[0].Args.Single());
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
