using Microsoft.Extensions.Options;
using SalesDash.Connectors.Common;
using SalesDash.Connectors.Polling;
using SalesDash.Contracts.Commerce;
using SalesDash.Contracts.Stores;

namespace SalesDash.Web.Channels;

/// <summary>Builds the poller for a connection through its channel's module (Connectors/&lt;Channel&gt;/), which binds the stored values into typed form.</summary>
public sealed class ChannelPollerFactory(
    IEnumerable<IPollerModule> modules, IEnumerable<IWebhookModule> webhooks, IHttpClientFactory clients, ICursorStore cursors, TimeProvider time, IOptions<ChannelsOptions> options)
{
    private readonly Dictionary<SalesChannel, IPollerModule> _modules = modules.ToDictionary(m => m.Channel);

    /// <summary>The channels whose catalogue SalesDash reads, polled or not.</summary>
    private readonly Dictionary<SalesChannel, ICatalogueModule> _catalogues = modules.OfType<ICatalogueModule>().Concat(webhooks.OfType<ICatalogueModule>()).ToDictionary(m => m.Channel);

    public bool HasCatalogue(SalesChannel channel) => _catalogues.ContainsKey(channel);

    /// <summary>The connection's catalogue reader; null when its channel has no catalogue or the connection lacks what reading it needs.</summary>
    public ICatalogueReader? CreateCatalogueReader(ChannelConnection connection, StoreProfile store)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(store);
        return _catalogues.TryGetValue(connection.Channel, out var module)
            ? module.CreateCatalogueReader(new ConnectionValues(connection.Settings, connection.Credentials), Context(store))
            : null;
    }

    public IChannelPoller Create(ChannelConnection connection, StoreProfile store)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(store);
        if (!_modules.TryGetValue(connection.Channel, out var module))
        {
            throw new InvalidOperationException($"{connection.Channel} is a webhook channel; it has no poller.");
        }

        return module.Create(new ConnectionValues(connection.Settings, connection.Credentials), Context(store));
    }

    private PollerContext Context(StoreProfile store) => new(clients.CreateClient(ChannelsHosting.HttpClientName), options.Value.Endpoints, store, cursors, time);
}
