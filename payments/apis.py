"""API views of payouts: what each person sees is decided by payouts_for_viewer alone."""

from drf_spectacular.utils import extend_schema
from rest_framework import generics

from payments.selectors import payouts_for_viewer
from payments.serializers import PayoutFilterSerializer, PayoutSerializer
from programs.apis import answers, query_filters


@extend_schema(
    parameters=[PayoutFilterSerializer],
    tags=["payouts"],
    responses=answers(PayoutSerializer, 400, 404),
)
class PayoutListApi(generics.ListAPIView):
    """Payouts the caller may see: a manager their programs', an org admin their organization's,
    a payee their own; filtered by ?program=, ?status=, ?milestone=, ?currency=."""

    serializer_class = PayoutSerializer
    ordering_fields = ["created_at", "amount", "status", "paid_at"]

    def get_queryset(self):
        filters = query_filters(self.request, PayoutFilterSerializer)
        if "program" in filters:
            filters["program__slug"] = filters.pop("program")
        return payouts_for_viewer(viewer=self.request.user).filter(**filters)
