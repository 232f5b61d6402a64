"""Evaluations' models, moved from applications with their tables (see applications 0006): the
state is created here, the tables already exist."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


MODELS = ('evaluationform', 'evaluationperiod', 'evaluation', 'reminderlog')


def move_content_types(apps, schema_editor):
    """Permissions and admin history follow the models: their content types change app."""
    ContentType = apps.get_model("contenttypes", "ContentType")
    ContentType.objects.filter(app_label="applications", model__in=MODELS).update(
        app_label="evaluations"
    )


def move_content_types_back(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    ContentType.objects.filter(app_label="evaluations", model__in=MODELS).update(
        app_label="applications"
    )


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('contenttypes', '0002_remove_content_type_name'),
        ('applications', '0006_move_docs_season_and_evaluations'),
        ('programs', '0005_opencollective_slugs'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        # State only: the tables stay where they are (Meta.db_table), no row moves.
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='EvaluationForm',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('kind', models.CharField(choices=[('midterm', 'Midterm evaluation'), ('final', 'Final evaluation'), ('monthly', 'Monthly evaluation')], max_length=10)),
                        ('side', models.CharField(choices=[('mentor', "Mentor's evaluation of the contributor"), ('contributor', "Contributor's evaluation of the mentor"), ('org_admin', "Org admin's evaluation of the project")], max_length=12)),
                        ('version', models.PositiveSmallIntegerField(default=1)),
                        ('questions', models.JSONField(default=list)),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('program', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='evaluation_forms', to='programs.program')),
                    ],
                    options={
                        'db_table': 'applications_evaluationform',
                        'ordering': ['program', 'kind', 'side', '-version'],
                    },
                ),
                migrations.CreateModel(
                    name='EvaluationPeriod',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('kind', models.CharField(choices=[('midterm', 'Midterm evaluation'), ('final', 'Final evaluation'), ('monthly', 'Monthly evaluation')], max_length=10)),
                        ('side', models.CharField(choices=[('mentor', "Mentor's evaluation of the contributor"), ('contributor', "Contributor's evaluation of the mentor"), ('org_admin', "Org admin's evaluation of the project")], max_length=12)),
                        ('sequence', models.PositiveSmallIntegerField(default=1)),
                        ('opens_at', models.DateTimeField()),
                        ('closes_at', models.DateTimeField()),
                        ('status', models.CharField(choices=[('upcoming', 'Upcoming'), ('open', 'Open'), ('submitted', 'Submitted'), ('missed', 'Missed')], default='upcoming', max_length=10)),
                        ('participation', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='evaluation_periods', to='programs.participation')),
                        ('project', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='periods', to='applications.project')),
                    ],
                    options={
                        'db_table': 'applications_evaluationperiod',
                        'ordering': ['closes_at', 'pk'],
                    },
                ),
                migrations.CreateModel(
                    name='Evaluation',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('submitted_at', models.DateTimeField()),
                        ('answers', models.JSONField(default=dict)),
                        ('passed', models.BooleanField(help_text="The mentor side's grade (coding).", null=True)),
                        ('status', models.CharField(blank=True, choices=[('on_track', 'On track'), ('concerns', 'Concerns'), ('failing', 'Failing')], help_text="The org admin's verdict (docs).", max_length=10)),
                        ('work_url', models.URLField(blank=True, help_text='The final work product (contributor).')),
                        ('filed_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='evaluations_filed', to=settings.AUTH_USER_MODEL)),
                        ('form', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='evaluations.evaluationform')),
                        ('period', models.OneToOneField(on_delete=django.db.models.deletion.PROTECT, related_name='evaluation', to='evaluations.evaluationperiod')),
                    ],
                    options={
                        'db_table': 'applications_evaluation',
                        'ordering': ['submitted_at'],
                    },
                ),
                migrations.CreateModel(
                    name='ReminderLog',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('subject', models.CharField(help_text='e.g. "period:42" or "survey:3:17".', max_length=60)),
                        ('kind', models.CharField(choices=[('advance', 'Opens in 10 days'), ('opened', 'Open now'), ('closing', 'Closes in 24 hours'), ('missed', 'Missed (to managers)'), ('survey_open', 'Survey open')], max_length=12)),
                        ('email', models.EmailField(max_length=254)),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('sent_at', models.DateTimeField(blank=True, null=True)),
                    ],
                    options={
                        'db_table': 'applications_reminderlog',
                        'indexes': [models.Index(fields=['sent_at'], name='application_sent_at_135e28_idx')],
                        'constraints': [models.UniqueConstraint(fields=('subject', 'kind', 'email'), name='reminder_once_per_recipient')],
                    },
                ),
                migrations.AddConstraint(
                    model_name='evaluationform',
                    constraint=models.UniqueConstraint(fields=('program', 'kind', 'side', 'version'), name='evaluation_form_version'),
                ),
                migrations.AddIndex(
                    model_name='evaluationperiod',
                    index=models.Index(fields=['status', 'closes_at'], name='application_status_706563_idx'),
                ),
                migrations.AddIndex(
                    model_name='evaluationperiod',
                    index=models.Index(fields=['opens_at'], name='application_opens_a_6ff665_idx'),
                ),
                migrations.AddConstraint(
                    model_name='evaluationperiod',
                    constraint=models.UniqueConstraint(condition=models.Q(('project__isnull', False)), fields=('project', 'kind', 'side'), name='period_once_per_project'),
                ),
                migrations.AddConstraint(
                    model_name='evaluationperiod',
                    constraint=models.UniqueConstraint(condition=models.Q(('project__isnull', True)), fields=('participation', 'kind', 'side', 'sequence'), name='period_once_per_org_month'),
                ),
                migrations.AddConstraint(
                    model_name='evaluationperiod',
                    constraint=models.CheckConstraint(condition=models.Q(('opens_at__lt', models.F('closes_at'))), name='period_opens_before_it_closes'),
                ),
            ],
        ),
        migrations.RunPython(move_content_types, move_content_types_back),
    ]
