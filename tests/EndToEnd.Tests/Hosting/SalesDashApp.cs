[assembly: AssemblyFixture(typeof(SalesDash.EndToEnd.Tests.Hosting.SalesDashApp))]

namespace SalesDash.EndToEnd.Tests.Hosting;

/// <summary>
/// The shared app of a test run (<see cref="ServedSalesDash"/> with the stores of <see cref="TestStore.All"/>): starting
/// the actor system costs seconds, and each test has its own store. Its name is kept for the tests that use it.
/// </summary>
public sealed class SalesDashApp : ServedSalesDash
{
    /// <summary>ApiDocsTests opens the API docs on this app: the document is generated at start, as in production.</summary>
    protected override SalesDashHostOptions CreateOptions() => new() { Settings = new Dictionary<string, string> { ["OpenApi:AtStart"] = "true" } };
}
