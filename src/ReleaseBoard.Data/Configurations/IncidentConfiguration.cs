using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using ReleaseBoard.Data.Entities;

namespace ReleaseBoard.Data.Configurations;

internal sealed class IncidentConfiguration : IEntityTypeConfiguration<Incident>
{
    public void Configure(EntityTypeBuilder<Incident> builder)
    {
        builder.Property(i => i.Title).HasMaxLength(300);
        builder.Property(i => i.Source).HasMaxLength(64);
        builder.Property(i => i.ExternalId).HasMaxLength(200);
        builder.Property(i => i.Link).HasMaxLength(2000);
        builder.Ignore(i => i.IsOpen);

        builder.HasIndex(i => new { i.ServiceId, i.ImpactStartedAt });
        builder.HasIndex(i => i.ResolvedAt);
        // An external id is unique per service: teams never see, block or claim each other's ids.
        builder
            .HasIndex(i => new
            {
                i.ServiceId,
                i.Source,
                i.ExternalId,
            })
            .IsUnique();

        builder.HasOne(i => i.Service).WithMany().OnDelete(DeleteBehavior.Cascade);
        builder.HasOne(i => i.CausingDeployment).WithMany().OnDelete(DeleteBehavior.NoAction);
    }
}
