using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using ReleaseBoard.Data.Entities;

namespace ReleaseBoard.Data.Configurations;

internal sealed class ServiceConfiguration : IEntityTypeConfiguration<Service>
{
    public void Configure(EntityTypeBuilder<Service> builder)
    {
        builder.Property(s => s.Slug).HasMaxLength(64);
        builder.Property(s => s.Name).HasMaxLength(200);
        builder.Property(s => s.Repository).HasMaxLength(200);
        builder.Property(s => s.PagerDutyServiceId).HasMaxLength(32);
        builder.Property(s => s.Workload).HasMaxLength(64);
        builder.HasIndex(s => new { s.TeamId, s.Slug }).IsUnique();
        builder.HasIndex(s => s.Repository);
        builder.HasIndex(s => s.PagerDutyServiceId);
        builder.HasOne(s => s.Team).WithMany(t => t.Services).OnDelete(DeleteBehavior.Cascade);
    }
}
