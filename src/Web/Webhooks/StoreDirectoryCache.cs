using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using SalesDash.Contracts.Commerce;
using SalesDash.Contracts.Stores;
using SalesDash.Engine.Stores;

namespace SalesDash.Web.Webhooks;

/// <summary>How long the webhook path may trust a store it looked up, bound from "Webhooks:StoreCache".</summary>
public sealed class StoreCacheOptions
{
    public const string Section = "Webhooks:StoreCache";

    /// <summary>
    /// The longest a change goes unseen by this node's webhooks when nothing told it: one made straight in the database,
    /// or one whose cluster notice (<see cref="StoreDirectoryInvalidationActor"/>) was lost with a partition. Changes made
    /// through any node's directory take effect on every node at once, and a signature that fails against the cached
    /// secret is checked again against the database, so a rotation never refuses a correctly signed delivery.
    /// </summary>
    public TimeSpan TimeToLive { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Stores kept per lookup kind; beyond it the cache starts over (a node rarely sees that many stores in one TTL).</summary>
    public int MaxEntries { get; set; } = 100_000;
}

/// <summary>
/// The store directory with a short-lived cache for the webhook path, which otherwise read the app database on every
/// delivery (the largest cost after the journal in the last profile). Only known stores are cached: an unknown shop
/// costs a read, as before, so a flood of made-up domains cannot fill memory, and a store created on another node
/// is found at once. Every write through the directory drops what it changes, so create, update and secret rotation
/// on this node take effect for the next delivery, and announces it (<see cref="IStoreChangeAnnouncer"/>) so every other
/// node drops it too; <see cref="StoreCacheOptions.TimeToLive"/> only bounds a change no notice carried.
/// A signature refused against the cached copy re-reads the store at most once per store per TTL, so a flood of forged
/// signatures costs the database one read per store per TTL, not one per delivery.
/// Other readers (APIs, jobs) go straight to the directory: they are not hot, and they want no staleness at all.
/// </summary>
public sealed class StoreDirectoryCache(IStoreDirectory inner, IOptions<StoreCacheOptions> options, TimeProvider time,
    IStoreChangeAnnouncer? announcer = null) : IStoreDirectory
{
    private readonly ConcurrentDictionary<StoreRef, Entry> _byRef = new();
    private readonly ConcurrentDictionary<(SalesChannel Channel, string Domain), Entry> _byDomain = new();

    // Which domain keys point at each store, so forgetting a store touches its own keys instead of sweeping every entry.
    private readonly ConcurrentDictionary<StoreRef, ConcurrentDictionary<(SalesChannel Channel, string Domain), byte>> _domainsOf = new();

    // One database read per store at a time for refused signatures: concurrent forgeries wait for the same answer.
    private readonly ConcurrentDictionary<StoreRef, Lazy<Task<StoreProfile?>>> _refreshing = new();
    private readonly TimeSpan _ttl = options.Value.TimeToLive;
    private readonly int _maxEntries = options.Value.MaxEntries;

    /// <summary>The store a webhook names by shop domain (already trimmed and lower case), from the cache while fresh.</summary>
    public async ValueTask<StoreProfile?> FindForWebhookAsync(SalesChannel channel, string shopDomain, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        _byDomain.TryGetValue((channel, shopDomain), out var cached);
        if (cached is not null && cached.ExpiresAt > now)
        {
            return cached.Profile;
        }

        var profile = await inner.FindByShopDomainAsync(channel, shopDomain, cancellationToken);
        Remember(profile, now, RefreshableAt(cached, now));
        return profile;
    }

    /// <summary>The store a webhook names by its route, from the cache while fresh.</summary>
    public async ValueTask<StoreProfile?> GetForWebhookAsync(StoreRef store, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        _byRef.TryGetValue(store, out var cached);
        if (cached is not null && cached.ExpiresAt > now)
        {
            return cached.Profile;
        }

        var profile = await inner.GetAsync(store, cancellationToken);
        if (profile is null)
        {
            Forget(store);
        }

        Remember(profile, now, RefreshableAt(cached, now));
        return profile;
    }

    /// <summary>
    /// The store as the database has it, for a delivery the cached copy refused: read again unless it was read again
    /// within the TTL already, in which case the cached copy is that read. A secret rotated on another node is therefore
    /// accepted at once when the store has not been re-read lately, and within one TTL under a flood of forgeries.
    /// </summary>
    public async Task<StoreProfile?> RefreshAsync(StoreRef store, CancellationToken cancellationToken)
    {
        if (_byRef.TryGetValue(store, out var cached) && cached.RefreshableAt > time.GetUtcNow())
        {
            return cached.Profile;
        }

        var read = _refreshing.GetOrAdd(store, s => new Lazy<Task<StoreProfile?>>(() => ReadAgainAsync(s)));
        return await read.Value.WaitAsync(cancellationToken);
    }

    /// <summary>Drops the store from the cache; the next delivery for it reads the database.</summary>
    public void Forget(StoreRef store)
    {
        _byRef.TryRemove(store, out _);
        if (_domainsOf.TryRemove(store, out var domains))
        {
            foreach (var key in domains.Keys)
            {
                // Only while it still points at this store: the domain may have moved to another store since.
                if (_byDomain.TryGetValue(key, out var entry) && entry.Profile.Store == store)
                {
                    _byDomain.TryRemove(KeyValuePair.Create(key, entry));
                }
            }
        }
    }

    /// <summary>
    /// A store changed without a write through this directory (it was deleted): dropped here at once and on every
    /// other node as soon as the notice reaches it.
    /// </summary>
    public void Changed(StoreRef store)
    {
        Forget(store);
        announcer?.Changed(store);
    }

    /// <summary>Whether this node holds the store (for tests and diagnostics).</summary>
    public bool Holds(StoreRef store) => _byRef.ContainsKey(store) || _domainsOf.ContainsKey(store);

    public Task<StoreProfile?> FindByShopDomainAsync(SalesChannel channel, string shopDomain, CancellationToken cancellationToken) =>
        inner.FindByShopDomainAsync(channel, shopDomain, cancellationToken);

    public Task<StoreProfile?> GetAsync(StoreRef store, CancellationToken cancellationToken) => inner.GetAsync(store, cancellationToken);

    public Task<IReadOnlyList<StoreProfile>> ListAsync(CancellationToken cancellationToken) => inner.ListAsync(cancellationToken);

    public Task<IReadOnlyList<StoreProfile>> ListAsync(string tenantId, CancellationToken cancellationToken) => inner.ListAsync(tenantId, cancellationToken);

    public async Task UpsertAsync(StoreProfile profile, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(profile);
        // Before and after: a delivery that read the old row while the write ran must not keep it for a whole TTL.
        Forget(profile.Store);
        try
        {
            await inner.UpsertAsync(profile, cancellationToken);
        }
        finally
        {
            Forget(profile.Store);
        }

        // Only once written: a node that re-reads on the notice must find the new row.
        announcer?.Changed(profile.Store);
    }

    /// <summary>
    /// A store read because its entry expired is as fresh as a refresh, so it counts as this TTL's re-read; a store read
    /// for the first time (or after a write dropped it) may still be re-read at once for a refused signature.
    /// </summary>
    private DateTimeOffset RefreshableAt(Entry? expired, DateTimeOffset now) => expired is null ? now : now + _ttl;

    private async Task<StoreProfile?> ReadAgainAsync(StoreRef store)
    {
        try
        {
            // Not the caller's token: other deliveries wait on this read, and one giving up must not fail theirs.
            var profile = await inner.GetAsync(store, CancellationToken.None);
            var now = time.GetUtcNow();
            Forget(store);
            Remember(profile, now, now + _ttl);
            return profile;
        }
        finally
        {
            _refreshing.TryRemove(store, out _);
        }
    }

    private void Remember(StoreProfile? profile, DateTimeOffset now, DateTimeOffset refreshableAt)
    {
        if (profile is null || _ttl <= TimeSpan.Zero)
        {
            return;
        }

        if (_byRef.Count >= _maxEntries || _byDomain.Count >= _maxEntries)
        {
            _byRef.Clear();
            _byDomain.Clear();
            _domainsOf.Clear();
        }

        var entry = new Entry(profile, now + _ttl, refreshableAt);
        var key = (profile.Channel, profile.ShopDomain);
        _byRef[profile.Store] = entry;
        _byDomain[key] = entry;
        _domainsOf.GetOrAdd(profile.Store, _ => new())[key] = 0;
    }

    /// <param name="RefreshableAt">Before this, a refused signature is answered from this entry rather than another read.</param>
    private sealed record Entry(StoreProfile Profile, DateTimeOffset ExpiresAt, DateTimeOffset RefreshableAt);
}

/// <summary>Wires the cache in front of the registered store directory.</summary>
public static class StoreDirectoryCacheHosting
{
    /// <summary>Call after the directory is registered: every writer then goes through the cache, which drops what it changes.</summary>
    public static IServiceCollection AddStoreDirectoryCache(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<StoreCacheOptions>()
            .Bind(configuration.GetSection(StoreCacheOptions.Section))
            .Validate(o => o.TimeToLive >= TimeSpan.Zero && o.TimeToLive <= TimeSpan.FromHours(1),
                "Webhooks:StoreCache:TimeToLive must be between zero (no cache) and one hour: it bounds how long a change no cluster notice carried goes unseen.")
            .Validate(o => o.MaxEntries > 0, "Webhooks:StoreCache:MaxEntries must be positive.")
            .ValidateOnStart();
        var directory = services.LastOrDefault(d => d.ServiceType == typeof(IStoreDirectory))
            ?? throw new InvalidOperationException("Register the store directory before its cache.");
        services.Remove(directory);
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<IStoreChangeAnnouncer, ClusterStoreChangeAnnouncer>();
        services.AddSingleton(sp => new StoreDirectoryCache(Resolve(sp, directory), sp.GetRequiredService<IOptions<StoreCacheOptions>>(), sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<IStoreChangeAnnouncer>()));
        services.AddSingleton<IStoreDirectory>(sp => sp.GetRequiredService<StoreDirectoryCache>());
        return services;
    }

    private static IStoreDirectory Resolve(IServiceProvider sp, ServiceDescriptor descriptor) =>
        (IStoreDirectory)(descriptor.ImplementationInstance
            ?? descriptor.ImplementationFactory?.Invoke(sp)
            ?? ActivatorUtilities.CreateInstance(sp, descriptor.ImplementationType!));
}
