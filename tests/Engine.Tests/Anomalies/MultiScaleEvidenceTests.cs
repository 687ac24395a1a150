using SalesDash.Engine.Anomalies;

namespace SalesDash.Engine.Tests.Anomalies;

/// <summary>Surprise on several time scales: spikes on the short one, level shifts on the long one, each against its own spread.</summary>
public sealed class MultiScaleEvidenceTests
{
    [Fact]
    public void A_spike_is_surprising_on_the_one_point_scale_and_ordinary_noise_is_not()
    {
        var evidence = new MultiScaleEvidence([1, 5, 30], rate: 0.01);
        var random = new Random(7);
        var ordinary = new List<double>();
        for (var i = 0; i < 2000; i++)
        {
            var z = evidence.Push(100 + (2 * Gaussian(random)));
            if (i >= 500)
            {
                ordinary.Add(z);
            }
        }

        var spike = evidence.Push(130);

        // Mean absolute deviation of a normal is 0.8 sigma: 15 sigma is about 19 typical deviations.
        Assert.True(spike > 12, $"spike scored {spike:F1}");
        Assert.True(ordinary.Max() < 6, $"ordinary maximum {ordinary.Max():F1}");
    }

    [Fact]
    public void Each_scale_is_judged_on_its_own_and_the_evidence_is_the_largest()
    {
        var both = new MultiScaleEvidence([1, 30], rate: 0.01);
        var point = new MultiScaleEvidence([1], rate: 0.01);
        var run = new MultiScaleEvidence([30], rate: 0.01);
        var random = new Random(17);
        for (var i = 0; i < 3000; i++)
        {
            var v = 20 + (3 * Gaussian(random)) + (i is > 2000 and < 2100 ? 4 : 0) + (i == 2500 ? 25 : 0);
            Assert.Equal(Math.Max(point.Push(v), run.Push(v)), both.Push(v));
        }
    }

    [Fact]
    public void A_lasting_change_becomes_the_new_normal()
    {
        var evidence = new MultiScaleEvidence([1, 5, 30], rate: 0.01);
        var random = new Random(13);
        for (var i = 0; i < 1000; i++)
        {
            evidence.Push(10 + (0.5 * Gaussian(random)));
        }

        var atChange = evidence.Push(20);
        var later = 0.0;
        for (var i = 0; i < 2000; i++)
        {
            later = evidence.Push(20 + (0.5 * Gaussian(random)));
        }

        Assert.True(atChange > 10, $"at the change {atChange:F1}");
        Assert.True(later < 5, $"2,000 points later {later:F1}");
    }

    [Fact]
    public void A_move_off_a_flat_line_is_a_clear_move_but_not_an_infinite_one()
    {
        // No spread to measure the move by: it counts as FlatMove deviations, whatever its size, so one step of a
        // stepwise stream does not swamp the likelihood's history.
        foreach (var step in new[] { 1.0, 1000.0 })
        {
            var evidence = new MultiScaleEvidence([1], rate: 0.01);
            for (var i = 0; i < 100; i++)
            {
                Assert.Equal(0, evidence.Push(3));
            }

            Assert.Equal(MultiScaleEvidence.FlatMove, evidence.Push(3 + step));
        }

        Assert.Equal(10, MultiScaleEvidence.FlatMove);
    }

    [Fact]
    public void Settings_out_of_range_are_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new MultiScaleEvidence([], 0.01));
        Assert.Throws<ArgumentOutOfRangeException>(() => new MultiScaleEvidence([0], 0.01));
        Assert.Throws<ArgumentOutOfRangeException>(() => new MultiScaleEvidence([1], 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new MultiScaleEvidence([1], 0.01).Push(double.NaN));
    }

    private static double Gaussian(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
}
