using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using ReleaseBoard.Data.Entities;

namespace ReleaseBoard.Data.Configurations;

internal sealed class CatchConfiguration : IEntityTypeConfiguration<Catch>
{
    public void Configure(EntityTypeBuilder<Catch> builder)
    {
        builder.ToTable("Catches");
        builder.Property(c => c.Title).HasMaxLength(300);
        builder.Property(c => c.Description).HasMaxLength(4000);
        builder.Property(c => c.Link).HasMaxLength(2000);
        builder.Property(c => c.Version).HasMaxLength(128);
        builder.Property(c => c.ReportedBy).HasMaxLength(200);
        builder.Property(c => c.Source).HasMaxLength(64);
        builder.Property(c => c.ExternalId).HasMaxLength(200);

        builder.HasIndex(c => new { c.ServiceId, c.CaughtAt });
        // An external id is unique per service: teams never see, block or claim each other's ids.
        builder
            .HasIndex(c => new
            {
                c.ServiceId,
                c.Source,
                c.ExternalId,
            })
            .IsUnique();

        builder.HasOne(c => c.Service).WithMany().OnDelete(DeleteBehavior.Cascade);
        builder.HasOne(c => c.Environment).WithMany().OnDelete(DeleteBehavior.NoAction);
    }
}
