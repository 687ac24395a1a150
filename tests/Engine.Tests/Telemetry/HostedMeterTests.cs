using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using SalesDash.Engine.Telemetry;

namespace SalesDash.Engine.Tests.Telemetry;

public sealed class HostedMeterTests
{
    [Fact]
    public void A_meter_of_its_own_is_ended_with_the_instruments()
    {
        var meterName = $"test.hosted.{Guid.NewGuid():N}";
        using var listener = Listen(meterName, out var completed);

        var counts = new Counts(meterName, meterFactory: null);
        counts.Add();
        counts.Dispose();

        Assert.Equal(["count"], completed);
    }

    [Fact]
    public void A_meter_from_the_host_is_left_to_the_host()
    {
        var meterName = $"test.hosted.{Guid.NewGuid():N}";
        using var listener = Listen(meterName, out var completed);
        var services = new ServiceCollection().AddMetrics().BuildServiceProvider();

        var counts = new Counts(meterName, services.GetRequiredService<IMeterFactory>());
        counts.Add();
        counts.Dispose();

        Assert.Empty(completed);
        services.Dispose();
        Assert.Equal(["count"], completed);
    }

    private static MeterListener Listen(string meterName, out List<string> completed)
    {
        var ended = new List<string>();
        var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Name == meterName)
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
            MeasurementsCompleted = (instrument, _) => ended.Add(instrument.Name),
        };
        listener.Start();
        completed = ended;
        return listener;
    }

    private sealed class Counts : HostedMeter
    {
        private readonly Counter<long> _count;

        public Counts(string meterName, IMeterFactory? meterFactory)
            : base(meterName, meterFactory)
        {
            _count = Meter.CreateCounter<long>("count");
        }

        public void Add() => _count.Add(1);
    }
}
