using Microsoft.Extensions.Options;
using SalesDash.Connectors.Common;
using SalesDash.Connectors.Polling;
using SalesDash.Contracts.Commerce;
using SalesDash.Contracts.Stores;

namespace SalesDash.Web.Channels;

/// <summary>Builds the poller for a connection through its channel's module (Connectors/&lt;Channel&gt;/), which binds the stored values into typed form.</summary>
public sealed class ChannelPollerFactory(IEnumerable<IPollerModule> modules, IHttpClientFactory clients, ICursorStore cursors, TimeProvider time, IOptions<ChannelsOptions> options)
{
    private readonly Dictionary<SalesChannel, IPollerModule> _modules = modules.ToDictionary(m => m.Channel);

    public IChannelPoller Create(ChannelConnection connection, StoreProfile store)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(store);
        if (!_modules.TryGetValue(connection.Channel, out var module))
        {
            throw new InvalidOperationException($"{connection.Channel} is a webhook channel; it has no poller.");
        }

        var context = new PollerContext(clients.CreateClient(ChannelsHosting.HttpClientName), options.Value.Endpoints, store, cursors, time);
        return module.Create(new ConnectionValues(connection.Settings, connection.Credentials), context);
    }
}
