using SalesDash.Web.Tests.Hosting;

namespace SalesDash.Web.Tests.Benchmarks;

/// <summary>
/// One host with the <see cref="PeerSeed"/> organisations written once, shared by the benchmark classes whose tests only
/// read them: seeding seven organisations' history and starting a host cost each test that did it several seconds.
/// Tests on it may run the job again (it republishes the same cohorts) and add organisations without a store (the job
/// leaves those out); a test that changes a seeded organisation's consent or figures needs its own host.
/// </summary>
public sealed class PeerSeededApp() : SalesDashHost(new SalesDashHostOptions
{
    Settings = new Dictionary<string, string> { ["Benchmarks:JobEnabled"] = "false" },
    Stores = [],
}), IAsyncLifetime
{
    private List<SeededOrg>? _orgs;

    /// <summary>The seeded organisations, in <see cref="PeerSeed.SeedAsync"/>'s order.</summary>
    public IReadOnlyList<SeededOrg> Orgs => _orgs ?? throw new InvalidOperationException("The fixture is not initialised.");

    public async ValueTask InitializeAsync() => _orgs = await PeerSeed.SeedAsync(this, TestContext.Current.CancellationToken);
}

/// <summary>The classes that read the seeded organisations share one <see cref="PeerSeededApp"/>.</summary>
[CollectionDefinition(Name)]
public sealed class PeerSeededCollection : ICollectionFixture<PeerSeededApp>
{
    public const string Name = "Peer benchmarks over seeded organisations";
}
