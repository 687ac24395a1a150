using SalesDash.Web.Benchmarks;

namespace SalesDash.Web.Tests.Benchmarks;

/// <summary>The cohort arithmetic on its own: quartiles against the test's own, the five-organisation rule, who takes part.</summary>
public sealed class PeerCohortsTests
{
    [Fact]
    public void Quartiles_interpolate_between_the_closest_ranks()
    {
        decimal[] values = [40m, 10m, 30m, 20m, 50m, 35m];

        // Sorted: 10 20 30 35 40 50; position p × (n − 1) = 1.25, 2.5, 3.75 (zero-based).
        Assert.Equal(22.5m, PeerCohorts.Percentile(values, 0.25m));
        Assert.Equal(32.5m, PeerCohorts.Percentile(values, 0.50m));
        Assert.Equal(38.75m, PeerCohorts.Percentile(values, 0.75m));
        Assert.Equal(7m, PeerCohorts.Percentile([7m], 0.75m));
    }

    [Fact]
    public void A_cohort_of_four_is_never_published_and_its_members_get_the_next_wider_one()
    {
        var small = Enumerable.Range(0, 4).Select(i => Participant($"a{i}", "apparel", "under-10k", aov: 10m + i)).ToList();
        var bigger = Participant("big", "apparel", "10k-100k", aov: 100m);
        var pets = Participant("pets", "pets", "under-10k", aov: 50m);

        var aggregates = PeerCohorts.Aggregate([.. small, bigger, pets]);

        var aov = aggregates.Where(a => a.Metric == BenchmarkMetric.AverageOrderValue).ToList();
        Assert.DoesNotContain(aov, a => a.Level == CohortLevel.IndustryAndBand);
        Assert.All(aggregates, a => Assert.True(a.Contributors >= PeerCohorts.MinimumPeers));
        var apparel = PeerCohorts.Pick(aggregates, "apparel", "under-10k", BenchmarkMetric.AverageOrderValue)!;
        Assert.Equal((CohortLevel.Industry, "apparel", 5, 11m, 12m, 13m), (apparel.Level, apparel.Industry, apparel.Contributors, apparel.P25, apparel.P50, apparel.P75));
        var forPets = PeerCohorts.Pick(aggregates, "pets", "under-10k", BenchmarkMetric.AverageOrderValue)!;
        Assert.Equal((CohortLevel.All, 6), (forPets.Level, forPets.Contributors));

        var withFifth = PeerCohorts.Aggregate([.. small, Participant("a4", "apparel", "under-10k", aov: 14m), bigger, pets]);
        var narrow = PeerCohorts.Pick(withFifth, "apparel", "under-10k", BenchmarkMetric.AverageOrderValue)!;
        Assert.Equal((CohortLevel.IndustryAndBand, 5, 12m), (narrow.Level, narrow.Contributors, narrow.P50));
    }

    [Fact]
    public void A_metric_counts_only_organisations_that_know_it()
    {
        var five = Enumerable.Range(0, 5).Select(i => Participant($"o{i}", "apparel", "under-10k", aov: 10m, roas: i < 4 ? 2m + i : null)).ToList();

        var aggregates = PeerCohorts.Aggregate(five);

        Assert.NotNull(PeerCohorts.Pick(aggregates, "apparel", "under-10k", BenchmarkMetric.AverageOrderValue));
        Assert.Null(PeerCohorts.Pick(aggregates, "apparel", "under-10k", BenchmarkMetric.Roas));
    }

    [Theory]
    [InlineData(0, "under-10k")]
    [InlineData(9_999.99, "under-10k")]
    [InlineData(10_000, "10k-100k")]
    [InlineData(250_000, "100k-1m")]
    [InlineData(1_000_000, "1m-plus")]
    public void Size_band_follows_trailing_revenue_in_dollars(double revenue, string band) =>
        Assert.Equal(band, PeerCohorts.BandOf((decimal)revenue));

    [Theory]
    [InlineData(null, true, true)]
    [InlineData(null, false, false)]
    [InlineData(false, true, false)]
    [InlineData(true, false, true)]
    public void Taking_part_is_the_organisations_choice_and_on_by_default_only_during_the_trial(bool? choice, bool onTrial, bool takesPart) =>
        Assert.Equal(takesPart, PeerCohorts.TakesPart(choice, onTrial));

    private static BenchmarkParticipant Participant(string id, string? industry, string band, decimal aov, decimal? roas = null) =>
        new(id, industry, band, new OrgFigures(1_000m, null, aov, null, null, null, null, roas));
}
